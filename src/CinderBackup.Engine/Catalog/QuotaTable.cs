using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Catalog;

/// <summary>
/// SQL for the quotas table (explicit per-project limits; a missing row means the configured default) and the project's
/// quota_usages rows, which are its quota lock (their in_use and reserved stay 0: usage is counted from the tables, as
/// `quota usage` shows it).
/// </summary>
internal static class QuotaTable
{
    /// <summary>
    /// Locks the project's usage rows of <paramref name="resources"/> until the transaction ends, creating the missing ones,
    /// as Cinder's quota_reserve reads its quota_usages rows FOR UPDATE: two reservations of one project, from any host,
    /// then count and reserve one after the other, and a quota race ends exact whatever else serialises writers. Rows are
    /// locked in resource order, so reservations of different resources of a project cannot deadlock.
    /// </summary>
    public static void LockUsages(Db db, string project, IEnumerable<string> resources, DateTime now)
    {
        var sorted = resources.Order(StringComparer.Ordinal).ToList();
        foreach (var resource in sorted)
        {
            db.Execute("INSERT INTO quota_usages (project_id, resource, in_use, reserved, created_at) VALUES ($p, $r, 0, 0, $now) " +
                       "ON CONFLICT (project_id, resource) DO NOTHING",
                ("$p", project), ("$r", resource), ("$now", Clock.ToStorage(now)));
        }
        var names = string.Join(", ", sorted.Select((_, i) => "$r" + i));
        db.Query($"SELECT resource FROM quota_usages WHERE project_id = $p AND resource IN ({names}) ORDER BY resource{db.Dialect.ForUpdate}",
            r => r.GetString(0), sorted.Select((r, i) => ("$r" + i, (object?)r)).Append(("$p", project)).ToArray());
    }

    /// <summary>The project's explicit limit for <paramref name="resource"/>, or null when it has none.</summary>
    public static int? HardLimit(Db db, string project, string resource) =>
        db.Scalar("SELECT hard_limit FROM quotas WHERE project_id = $p AND resource = $r", ("$p", project), ("$r", resource)) is long l
            ? (int)l
            : null;

    /// <summary>True when the project has no explicit limit at all (it runs on the defaults).</summary>
    public static bool IsDefault(Db db, string project) =>
        db.ScalarLong("SELECT COUNT(*) FROM quotas WHERE project_id = $p", ("$p", project)) == 0;

    /// <summary>Sets (inserts or replaces) the project's limit for <paramref name="resource"/>.</summary>
    public static void SetHardLimit(Db db, string project, string resource, int limit, DateTime now) =>
        db.Execute("INSERT INTO quotas (project_id, resource, hard_limit, created_at, updated_at) VALUES ($p, $r, $l, $now, $now) " +
                   "ON CONFLICT (project_id, resource) DO UPDATE SET hard_limit = excluded.hard_limit, updated_at = excluded.updated_at",
            ("$p", project), ("$r", resource), ("$l", limit), ("$now", Clock.ToStorage(now)));
}
