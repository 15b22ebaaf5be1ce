using System.Globalization;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Format;

namespace CinderBackup.Engine.Api;

/// <summary>
/// Applies a <see cref="RetentionPolicy"/> to the backups of each volume, as restic's <c>forget</c> does, then keeps every
/// parent of a kept backup so no chain breaks. Only available backups are candidates for removal: the others (creating,
/// restoring, deleting, error) stay, and so do their parents.
/// </summary>
internal static class RetentionPlanner
{
    /// <summary>One backup's fate: kept with its reasons, or to be removed.</summary>
    public sealed record Plan(BackupRow Row, bool Keep, IReadOnlyList<string> Reasons);

    /// <summary>The plan for <paramref name="rows"/> (any order), newest first: the order removal must follow.</summary>
    public static List<Plan> Decide(IEnumerable<BackupRow> rows, RetentionPolicy policy)
    {
        var newestFirst = rows.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).ToList();
        var reasons = newestFirst.ToDictionary(r => r.Id, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var volume in newestFirst.GroupBy(r => r.VolumeId, StringComparer.Ordinal))
        {
            var candidates = volume.Where(r => r.Status == BackupStatus.Available).ToList();
            Apply(candidates, policy.Last, r => r.Id, reasons, (n, _) => $"last {n}");
            Apply(candidates, policy.Daily, r => r.CreatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), reasons, (_, k) => $"daily {k}");
            Apply(candidates, policy.Weekly, r => $"{ISOWeek.GetYear(r.CreatedAt):D4}-W{ISOWeek.GetWeekOfYear(r.CreatedAt):D2}", reasons, (_, k) => $"weekly {k}");
            Apply(candidates, policy.Monthly, r => r.CreatedAt.ToString("yyyy-MM", CultureInfo.InvariantCulture), reasons, (_, k) => $"monthly {k}");
            foreach (var r in volume.Where(r => r.Status != BackupStatus.Available))
            {
                reasons[r.Id].Add($"status {r.Status}: only available backups are removed");
            }
        }
        // A kept backup keeps its whole chain, walked by parent_id, never by created_at: a parent recorded with a later
        // time than its child (a host's clock set back, an imported record) is kept all the same.
        var byId = newestFirst.ToDictionary(r => r.Id, StringComparer.Ordinal);
        foreach (var kept in newestFirst.Where(r => reasons[r.Id].Count > 0).ToList())
        {
            var seen = new HashSet<string>(StringComparer.Ordinal) { kept.Id };
            for (var child = kept; child.ParentId is string parent && byId.TryGetValue(parent, out var p) && seen.Add(parent); child = p)
            {
                var why = $"parent of {child.Id}";
                if (!reasons[parent].Contains(why))
                {
                    reasons[parent].Add(why);
                }
            }
        }
        return newestFirst.Select(r => new Plan(r, reasons[r.Id].Count > 0, reasons[r.Id])).ToList();
    }

    /// <summary>Keeps the newest backup of each of the first <paramref name="count"/> distinct buckets, newest first.</summary>
    private static void Apply(List<BackupRow> newestFirst, int? count, Func<BackupRow, string> bucket,
        Dictionary<string, List<string>> reasons, Func<int, string, string> reason)
    {
        if (count is not int left)
        {
            return;
        }
        string? last = null;
        var n = 0;
        foreach (var r in newestFirst)
        {
            if (left == 0)
            {
                break;
            }
            var b = bucket(r);
            if (b == last)
            {
                continue;
            }
            last = b;
            n++;
            left--;
            reasons[r.Id].Add(reason(n, b));
        }
    }
}
