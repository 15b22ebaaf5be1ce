using CinderBackup.Engine.Util;
using System.Data.Common;

namespace CinderBackup.Engine.Catalog;

/// <summary>SQL for the snapshots table.</summary>
internal static class SnapshotTable
{
    private const string Columns = "id, volume_id, display_name, display_description, project_id, user_id, status, progress, volume_size, path, created_at, updated_at";

    public static void Insert(Db db, string id, string volumeId, string? name, string? description, string projectId,
        string userId, string status, int size, long sizeBytes, string path, DateTime now, bool useQuota = true)
    {
        db.Execute(
            """
            INSERT INTO snapshots (id, volume_id, display_name, display_description, project_id, user_id, status, progress,
                                   volume_size, size_bytes, path, use_quota, created_at, updated_at)
            VALUES ($id, $vol, $name, $desc, $project, $user, $status, '0%', $size, $bytes, $path, $quota, $now, $now)
            """,
            ("$id", id), ("$vol", volumeId), ("$name", name), ("$desc", description), ("$project", projectId),
            ("$user", userId), ("$status", status), ("$size", size), ("$bytes", sizeBytes), ("$path", path),
            ("$quota", useQuota ? 1 : 0), ("$now", Clock.ToStorage(now)));
    }

    public static VolumeSnapshot? Get(Db db, string id) =>
        db.QuerySingle($"SELECT {Columns} FROM snapshots WHERE id = $id AND deleted = 0", Map, ("$id", id));

    public static List<VolumeSnapshot> List(Db db, string? projectId, string? volumeId = null, string? exactName = null)
    {
        var sql = $"SELECT {Columns} FROM snapshots WHERE deleted = 0"
            + (projectId is null ? "" : " AND project_id = $project")
            + (volumeId is null ? "" : " AND volume_id = $vol")
            + (exactName is null ? "" : " AND display_name = $name")
            + " ORDER BY created_at DESC, id";
        return db.Query(sql, Map, ("$project", projectId), ("$vol", volumeId), ("$name", exactName));
    }

    /// <summary>
    /// The sum of the volume sizes (GiB) of the project's snapshots not deleted that count against quotas (not a
    /// backup's temporary snapshot): their part of the <c>gigabytes</c> usage, as Cinder's _snapshot_data_get_for_project.
    /// </summary>
    public static long SizeInProject(Db db, string project) =>
        db.ScalarLong("SELECT COALESCE(SUM(volume_size), 0) FROM snapshots WHERE project_id = $p AND deleted = 0 AND use_quota = 1", ("$p", project));

    /// <summary>Snapshots not deleted, in every project.</summary>
    public static int Count(Db db) => (int)db.ScalarLong("SELECT count(*) FROM snapshots WHERE deleted = 0;");

    /// <summary>Conditional status change (see <see cref="Db.UpdateIfStatusIn"/>).</summary>
    public static bool ConditionalStatus(Db db, string id, IEnumerable<string> expected, string newStatus, string? progress = null) =>
        db.UpdateIfStatusIn("snapshots", id, expected, "status = $status, progress = COALESCE($progress, progress), updated_at = $now",
            ("$status", newStatus), ("$progress", progress), ("$now", Clock.ToStorage(Clock.UtcNow)));

    public static void SetStatus(Db db, string id, string status, string? progress = null)
    {
        db.Execute("UPDATE snapshots SET status = $status, progress = COALESCE($progress, progress), updated_at = $now WHERE id = $id",
            ("$id", id), ("$status", status), ("$progress", progress), ("$now", Clock.ToStorage(Clock.UtcNow)));
    }

    public static void SoftDelete(Db db, string id)
    {
        var now = Clock.ToStorage(Clock.UtcNow);
        db.Execute("UPDATE snapshots SET status = 'deleted', deleted = 1, deleted_at = $now, updated_at = $now WHERE id = $id",
            ("$id", id), ("$now", now));
    }

    private static VolumeSnapshot Map(DbDataReader r) => new()
    {
        Id = r.Str("id"),
        VolumeId = r.Str("volume_id"),
        Name = r.StrN("display_name"),
        Description = r.StrN("display_description"),
        ProjectId = r.Str("project_id"),
        UserId = r.Str("user_id"),
        Status = r.Str("status"),
        Progress = r.Str("progress"),
        Size = r.Int("volume_size"),
        Path = r.Str("path"),
        CreatedAtUtc = r.Time("created_at"),
        UpdatedAtUtc = r.TimeN("updated_at"),
    };

    /// <summary>Whether the administrator recorded the row (on PostgreSQL a trigger stamps 0 on a project role's rows;
    /// a row that is gone counts as the administrator's, so the caller's own lookup reports it).</summary>
    public static bool RecordedByAdmin(Db db, string id) =>
        db.ScalarLong("SELECT COALESCE(MAX(recorded_by_admin), 1) FROM snapshots WHERE id = $id", ("$id", id)) != 0;
}
