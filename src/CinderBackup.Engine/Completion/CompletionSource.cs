using System.Text;
using System.Text.RegularExpressions;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Catalog;

namespace CinderBackup.Engine.Completion;

/// <summary>
/// Tab completion of volume, snapshot and backup names and ids from the catalog, for the caller's project. Cheap and
/// safe at a prompt: the catalog is read without recovery or heartbeats, waits at most a second for a lock, results are
/// cached for a few seconds, and no failure ever escapes (it just completes nothing).
/// </summary>
public static class CompletionSource
{
    private static readonly TimeSpan CacheLife = TimeSpan.FromSeconds(3);
    private static readonly Dictionary<string, (DateTime At, IReadOnlyList<SummaryRow> Rows)> Cache = new(StringComparer.Ordinal);

    private static readonly Dictionary<string, (DateTime At, IReadOnlyList<string> Values)> ValueCache = new(StringComparer.Ordinal);

    /// <summary>
    /// Candidates for <paramref name="word"/> (quotes stripped; wildcards * ? [] honoured, else a prefix), matched
    /// case-insensitively against names and ids. With <paramref name="namesOnly"/>, names only (for -Name filters); with
    /// <paramref name="idsOnly"/>, ids only (for -VolumeId and the like).
    /// </summary>
    public static IReadOnlyList<CompletionCandidate> Candidates(EngineOptions options, CompletionKind kind, string? word, bool namesOnly = false, bool idsOnly = false)
    {
        try
        {
            var rows = Rows(options, kind);
            var pattern = Pattern(word);
            var nameCounts = rows.Where(r => !string.IsNullOrEmpty(r.Name)).GroupBy(r => r.Name!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var result = new List<CompletionCandidate>();
            foreach (var r in rows)
            {
                var tip = $"{kind} {r.Id}{(string.IsNullOrEmpty(r.Name) ? "" : $" '{r.Name}'")}, {r.Status}, {r.Size} GiB";
                var nameMatches = !string.IsNullOrEmpty(r.Name) && pattern.IsMatch(r.Name);
                if (namesOnly)
                {
                    if (nameMatches && !result.Any(c => c.Text == r.Name))
                    {
                        result.Add(new CompletionCandidate(r.Name!, r.Id, r.Name, tip));
                    }
                    continue;
                }
                if (idsOnly)
                {
                    if (pattern.IsMatch(r.Id))
                    {
                        result.Add(new CompletionCandidate(r.Id, r.Id, r.Name, tip));
                    }
                    continue;
                }
                if (nameMatches && nameCounts[r.Name!] == 1)
                {
                    result.Add(new CompletionCandidate(r.Name!, r.Id, r.Name, tip));
                }
                else if (nameMatches || pattern.IsMatch(r.Id))
                {
                    result.Add(new CompletionCandidate(r.Id, r.Id, r.Name, tip)); // a shared name would be ambiguous
                }
            }
            return result.OrderBy(c => c.Text == c.Id ? 1 : 0).ThenBy(c => c.Text, StringComparer.OrdinalIgnoreCase).ToList();
        }
        catch (Exception)
        {
            return Array.Empty<CompletionCandidate>();
        }
    }

    /// <summary>The values (a fixed set, such as statuses) that <paramref name="word"/> matches, in their order.</summary>
    public static IReadOnlyList<string> Matching(IEnumerable<string> values, string? word)
    {
        var pattern = Pattern(word);
        return values.Where(v => pattern.IsMatch(v)).ToList();
    }

    /// <summary>
    /// Project names for -ProjectName: for an admin, every project the catalog knows (volumes, snapshots, backups,
    /// quotas) and the caller's own; for anyone else only their own, so completion shows no other project's name.
    /// </summary>
    public static IReadOnlyList<string> Projects(EngineOptions options, string? word)
    {
        try
        {
            var (config, context) = BackupEngine.LoadSettings(options);
            var names = new SortedSet<string>(StringComparer.Ordinal) { context.ProjectName };
            if (context.IsAdmin)
            {
                names.UnionWith(Distinct(config, "project_id", CompletionQueries.ProjectIds));
            }
            return Matching(names, word);
        }
        catch (Exception)
        {
            return Array.Empty<string>();
        }
    }

    /// <summary>Hosts of the backup services (Get-BackupService -HostName), which every caller may list.</summary>
    public static IReadOnlyList<string> Hosts(EngineOptions options, string? word)
    {
        try
        {
            var (config, _) = BackupEngine.LoadSettings(options);
            return Matching(Distinct(config, "host", CompletionQueries.ServiceHosts), word);
        }
        catch (Exception)
        {
            return Array.Empty<string>();
        }
    }

    /// <summary>One text column of a query, cached like the rows; nothing when there is no catalog yet.</summary>
    private static IReadOnlyList<string> Distinct(Config.EngineConfig config, string column, Func<Db, List<string>> query)
    {
        if (config.Database is null && !File.Exists(config.CatalogPath))
        {
            return Array.Empty<string>(); // completion never creates a catalog
        }
        var key = $"{config.CatalogLocation}\n{column}";
        lock (ValueCache)
        {
            if (ValueCache.TryGetValue(key, out var hit) && DateTime.UtcNow - hit.At < CacheLife)
            {
                return hit.Values;
            }
        }
        using var catalog = CatalogOpener.Open(config, busyTimeoutSeconds: 1);
        var values = catalog.Read(query);
        lock (ValueCache)
        {
            ValueCache[key] = (DateTime.UtcNow, values);
        }
        return values;
    }

    /// <summary>PowerShell-style wildcard matching: * ? and [set]; a word without wildcards matches as a prefix.</summary>
    internal static Regex Pattern(string? word)
    {
        word = (word ?? "").Trim('\'', '"');
        if (word.IndexOfAny(new[] { '*', '?', '[' }) < 0)
        {
            word += "*";
        }
        var sb = new StringBuilder("^");
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            switch (c)
            {
                case '*': sb.Append(".*"); break;
                case '?': sb.Append('.'); break;
                case '[' when word.IndexOf(']', i + 1) is var end && end > i + 1:
                    sb.Append('[').Append(word[(i + 1)..end].Replace("\\", "\\\\").Replace("^", "\\^")).Append(']');
                    i = end;
                    break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    private static IReadOnlyList<SummaryRow> Rows(EngineOptions options, CompletionKind kind)
    {
        var (config, context) = BackupEngine.LoadSettings(options);
        if (config.Database is null && !File.Exists(config.CatalogPath))
        {
            return Array.Empty<SummaryRow>(); // completion never creates a catalog
        }
        var key = $"{config.CatalogLocation}\n{context.ProjectName}\n{kind}";
        lock (Cache)
        {
            if (Cache.TryGetValue(key, out var hit) && DateTime.UtcNow - hit.At < CacheLife)
            {
                return hit.Rows;
            }
        }
        Func<Db, string, List<SummaryRow>> query = kind switch
        {
            CompletionKind.Volume => CompletionQueries.Volumes,
            CompletionKind.Snapshot => CompletionQueries.Snapshots,
            _ => CompletionQueries.Backups,
        };
        using var catalog = CatalogOpener.Open(config, busyTimeoutSeconds: 1);
        IReadOnlyList<SummaryRow> rows = catalog.Read(db => query(db, context.ProjectName));
        lock (Cache)
        {
            Cache[key] = (DateTime.UtcNow, rows);
        }
        return rows;
    }
}
