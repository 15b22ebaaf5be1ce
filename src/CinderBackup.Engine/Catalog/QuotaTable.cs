using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Catalog;

/// <summary>SQL for the quotas table (explicit per-project limits; a missing row means the configured default).</summary>
internal static class QuotaTable
{
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
