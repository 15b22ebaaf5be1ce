namespace CinderBackup.Engine.Catalog;

/// <summary>
/// The light read-only queries behind tab completion: names across tables, each capped at <see cref="Limit"/> rows so a
/// huge catalog cannot stall a key press.
/// </summary>
internal static class CompletionQueries
{
    public const int Limit = 5000;

    /// <summary>Every project named by a volume, snapshot or backup not deleted, or by a quota.</summary>
    public static List<string> ProjectIds(Db db) => db.Query(
        "SELECT project_id FROM volumes WHERE deleted = 0 UNION SELECT project_id FROM snapshots WHERE deleted = 0 " +
        "UNION SELECT project_id FROM backups WHERE deleted = 0 UNION SELECT project_id FROM quotas LIMIT $limit;",
        r => r.GetString(0), ("$limit", Limit));

    /// <summary>The hosts of the services not deleted.</summary>
    public static List<string> ServiceHosts(Db db) => db.Query(
        "SELECT DISTINCT host FROM services WHERE deleted = 0 ORDER BY host LIMIT $limit;", r => r.GetString(0), ("$limit", Limit));

    public static List<SummaryRow> Volumes(Db db, string project) => Summaries(db, "volumes", "size", project);

    public static List<SummaryRow> Snapshots(Db db, string project) => Summaries(db, "snapshots", "volume_size", project);

    public static List<SummaryRow> Backups(Db db, string project) => Summaries(db, "backups", "size", project);

    private static List<SummaryRow> Summaries(Db db, string table, string size, string project) => db.Query(
        $"SELECT id, display_name, COALESCE(status, ''), COALESCE({size}, 0) FROM {table} WHERE deleted = 0 AND project_id = $p ORDER BY created_at LIMIT $limit;",
        r => new SummaryRow(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2), r.GetInt32(3)),
        ("$p", project), ("$limit", Limit));
}
