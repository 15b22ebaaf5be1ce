using CinderBackup.Engine.Util;
using System.Data.Common;

namespace CinderBackup.Engine.Catalog;

/// <summary>SQL for the backups and backup_metadata tables.</summary>
internal static class BackupTable
{
    private static readonly string[] Columns =
    {
        "id", "user_id", "project_id", "volume_id", "host", "availability_zone", "container", "parent_id", "status",
        "fail_reason", "size", "display_name", "display_description", "service_metadata", "service", "object_count",
        "temp_volume_id", "temp_snapshot_id", "num_dependent_backups", "snapshot_id", "data_timestamp",
        "restore_volume_id", "encryption_key_id", "created_at", "updated_at", "deleted_at", "deleted",
        "repository", "driver", "operation", "owner_host", "owner_pid", "owner_started_at", "heartbeat_at",
        "progress_done", "progress_total", "progress_rate", "metadata_sha256", "sha256file_sha256",
        "repository_id", "repository_location", "compression", "bytes_read", "bytes_changed", "bytes_stored", "duration_ms",
    };

    private static readonly string Select = "SELECT " + string.Join(", ", Columns) + " FROM backups";

    /// <summary>Inserts the row, or revives a soft-deleted row with the same id (record import).</summary>
    public static void Insert(Db db, BackupRow b)
    {
        var assignments = string.Join(", ", Columns.Select(c => "$" + c));
        db.Execute($"INSERT INTO backups ({string.Join(", ", Columns)}) VALUES ({assignments}) " +
                   "ON CONFLICT (id) DO UPDATE SET " + string.Join(", ", Columns.Skip(1).Select(c => $"{c} = excluded.{c}")),
            Parameters(b));
        SetMetadata(db, b.Id, b.Metadata);
    }

    /// <summary>Writes every column of the row back.</summary>
    public static void Update(Db db, BackupRow b)
    {
        b.UpdatedAt = Clock.UtcNow;
        db.Execute("UPDATE backups SET " + string.Join(", ", Columns.Skip(1).Select(c => $"{c} = ${c}")) + " WHERE id = $id", Parameters(b));
    }

    public static BackupRow? Get(Db db, string id, bool includeDeleted = false)
    {
        var row = db.QuerySingle(Select + " WHERE id = $id" + (includeDeleted ? "" : " AND deleted = 0"), Map, ("$id", id));
        if (row is not null)
        {
            LoadMetadata(db, row);
        }
        return row;
    }

    /// <summary>
    /// The backup whose id is <paramref name="canonical"/> however it is spelt: rows imported before ids were normalised
    /// may hold upper case or braces.
    /// </summary>
    public static BackupRow? GetByUuid(Db db, string canonical, bool includeDeleted = false)
    {
        if (Get(db, canonical, includeDeleted) is BackupRow exact)
        {
            return exact;
        }
        var id = db.Scalar("SELECT id FROM backups WHERE lower(replace(replace(replace(replace(replace(id, 'urn:', ''), 'uuid:', ''), '{', ''), '}', ''), '-', '')) = $hex"
            + (includeDeleted ? "" : " AND deleted = 0") + " ORDER BY deleted LIMIT 1", ("$hex", canonical.Replace("-", "", StringComparison.Ordinal)));
        return id is string found ? Get(db, found, includeDeleted) : null;
    }

    /// <summary>The backups (any project, not deleted) that keep objects in <paramref name="container"/>: id, repository, prefix.</summary>
    public static List<(string Id, string? Repository, string? Prefix)> InContainer(Db db, string container) =>
        db.Query("SELECT id, repository, service_metadata FROM backups WHERE deleted = 0 AND container = $c",
            r => (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)), ("$c", container));

    public static List<BackupRow> List(Db db, string? projectId, string? volumeId = null, string? exactName = null)
    {
        var filter = " WHERE deleted = 0"
            + (projectId is null ? "" : " AND project_id = $project")
            + (volumeId is null ? "" : " AND volume_id = $vol")
            + (exactName is null ? "" : " AND display_name = $name");
        var parameters = new (string, object?)[] { ("$project", projectId), ("$vol", volumeId), ("$name", exactName) };
        var rows = db.Query(Select + filter + " ORDER BY created_at DESC, id", Map, parameters);
        // Every row's metadata in one query, not one per row (10,000 backups list in well under a second).
        var byId = rows.ToDictionary(r => r.Id, StringComparer.Ordinal);
        foreach (var (id, k, v) in db.Query($"SELECT backup_id, key, value FROM backup_metadata WHERE backup_id IN (SELECT id FROM backups{filter})",
                     r => (r.GetString(0), r.GetString(1), r.IsDBNull(2) ? "" : r.GetString(2)), parameters))
        {
            if (byId.TryGetValue(id, out var row))
            {
                row.Metadata[k] = v;
            }
        }
        return rows;
    }

    /// <summary>Up to <paramref name="limit"/> backups (any project) being created, restored or deleted.</summary>
    public static List<(string Id, string Status)> InProgress(Db db, int limit) =>
        db.Query("SELECT id, status FROM backups WHERE deleted = 0 AND status IN ('creating', 'restoring', 'deleting') LIMIT $limit;",
            r => (r.GetString(0), r.GetString(1)), ("$limit", limit));

    /// <summary>Backups not deleted, in every project.</summary>
    public static int Count(Db db) => (int)db.ScalarLong("SELECT count(*) FROM backups WHERE deleted = 0;");

    /// <summary>The project's backups not deleted (quota usage of <c>backups</c>).</summary>
    public static long CountInProject(Db db, string project) =>
        db.ScalarLong("SELECT COUNT(*) FROM backups WHERE project_id = $p AND deleted = 0", ("$p", project));

    /// <summary>The sum of the sizes of the project's backups not deleted (quota usage of <c>backup_gigabytes</c>).</summary>
    public static long SizeInProject(Db db, string project) =>
        db.ScalarLong("SELECT COALESCE(SUM(size), 0) FROM backups WHERE project_id = $p AND deleted = 0", ("$p", project));

    /// <summary>Non-deleted backups whose parent is <paramref name="id"/>, in any project.</summary>
    public static int CountDependents(Db db, string id, string? projectId = null) =>
        (int)db.ScalarLong("SELECT COUNT(*) FROM backups WHERE parent_id = $id AND deleted = 0" + (projectId is null ? "" : " AND project_id = $project"),
            ("$id", id), ("$project", projectId));

    /// <summary>Conditional status change (see <see cref="Db.UpdateIfStatusIn"/>).</summary>
    public static bool ConditionalStatus(Db db, string id, IEnumerable<string> expected, string newStatus) =>
        db.UpdateIfStatusIn("backups", id, expected, "status = $status, updated_at = $now",
            ("$status", newStatus), ("$now", Clock.ToStorage(Clock.UtcNow)));

    public static string? Status(Db db, string id) =>
        (string?)db.Scalar("SELECT CASE WHEN deleted = 1 THEN 'deleted' ELSE status END FROM backups WHERE id = $id", ("$id", id));

    /// <summary>Sets the status unconditionally (an admin's reset-state).</summary>
    public static void SetStatus(Db db, string id, string status) =>
        db.Execute("UPDATE backups SET status = $s, updated_at = $now WHERE id = $id",
            ("$s", status), ("$now", Clock.ToStorage(Clock.UtcNow)), ("$id", id));

    /// <summary>Sets status error with <paramref name="reason"/> (a create that failed or was reset).</summary>
    public static void SetError(Db db, string id, string reason) =>
        db.Execute("UPDATE backups SET status = 'error', fail_reason = $r, updated_at = $now WHERE id = $id",
            ("$r", reason), ("$now", Clock.ToStorage(Clock.UtcNow)), ("$id", id));

    /// <summary>
    /// A delete that failed in the driver: status error with <paramref name="reason"/>, on a row not deleted meanwhile
    /// (updated_at is left as it was, as before).
    /// </summary>
    public static void SetDeleteFailed(Db db, string id, string reason) =>
        db.Execute("UPDATE backups SET status = 'error', fail_reason = $r WHERE id = $id AND deleted = 0", ("$r", reason), ("$id", id));

    /// <summary>Records why an operation on the backup failed, leaving its status as it is.</summary>
    public static void SetFailReason(Db db, string id, string reason) =>
        db.Execute("UPDATE backups SET fail_reason = $r WHERE id = $id", ("$r", reason), ("$id", id));

    /// <summary>Records where the backup's objects go: container, prefix and the repository's identity and location.</summary>
    public static void SetLocation(Db db, string id, string? container, string? prefix, string? repositoryId, string? repositoryLocation) =>
        db.Execute(
            "UPDATE backups SET container = $c, service_metadata = $p, repository_id = $rid, repository_location = $loc, updated_at = $now WHERE id = $id",
            ("$c", container), ("$p", prefix), ("$rid", repositoryId), ("$loc", repositoryLocation), ("$now", Clock.ToStorage(Clock.UtcNow)), ("$id", id));

    /// <summary>Records the temporary snapshot a backup of an in-use volume reads from.</summary>
    public static void SetTempSnapshot(Db db, string id, string snapshotId) =>
        db.Execute("UPDATE backups SET temp_snapshot_id = $s WHERE id = $id", ("$s", snapshotId), ("$id", id));

    /// <summary>The running operation's sign of life, without progress to report.</summary>
    public static void Touch(Db db, string id) =>
        db.Execute("UPDATE backups SET heartbeat_at = $now WHERE id = $id", ("$now", Clock.ToStorage(Clock.UtcNow)), ("$id", id));

    public static void SetProgress(Db db, string id, long done, long total, double rate)
    {
        db.Execute("UPDATE backups SET progress_done = $d, progress_total = $t, progress_rate = $r, heartbeat_at = $now WHERE id = $id",
            ("$id", id), ("$d", done), ("$t", total), ("$r", rate), ("$now", Clock.ToStorage(Clock.UtcNow)));
    }

    public static void AdjustDependents(Db db, string id, int delta)
    {
        db.Execute($"UPDATE backups SET num_dependent_backups = {db.Dialect.Greatest("0", "num_dependent_backups + $d")}, updated_at = $now WHERE id = $id",
            ("$id", id), ("$d", delta), ("$now", Clock.ToStorage(Clock.UtcNow)));
    }

    public static void SoftDelete(Db db, string id)
    {
        var now = Clock.ToStorage(Clock.UtcNow);
        db.Execute("UPDATE backups SET status = 'deleted', deleted = 1, deleted_at = $now, updated_at = $now, operation = NULL, owner_host = NULL, owner_pid = NULL, claim_token = NULL WHERE id = $id",
            ("$id", id), ("$now", now));
    }

    /// <summary>Replaces the backup's metadata with <paramref name="metadata"/>.</summary>
    public static void SetMetadata(Db db, string id, IReadOnlyDictionary<string, string> metadata)
    {
        db.Execute("DELETE FROM backup_metadata WHERE backup_id = $id", ("$id", id));
        foreach (var (k, v) in metadata)
        {
            db.Execute("INSERT INTO backup_metadata (backup_id, key, value) VALUES ($id, $k, $v)", ("$id", id), ("$k", k), ("$v", v));
        }
    }

    private static void LoadMetadata(Db db, BackupRow row)
    {
        foreach (var (k, v) in db.Query("SELECT key, value FROM backup_metadata WHERE backup_id = $id", r => (r.Str("key"), r.StrN("value") ?? ""), ("$id", row.Id)))
        {
            row.Metadata[k] = v;
        }
    }

    private static (string, object?)[] Parameters(BackupRow b) => new (string, object?)[]
    {
        ("$id", b.Id), ("$user_id", b.UserId), ("$project_id", b.ProjectId), ("$volume_id", b.VolumeId), ("$host", b.Host),
        ("$availability_zone", b.AvailabilityZone), ("$container", b.Container), ("$parent_id", b.ParentId), ("$status", b.Status),
        ("$fail_reason", b.FailReason), ("$size", b.Size), ("$display_name", b.DisplayName), ("$display_description", b.DisplayDescription),
        ("$service_metadata", b.ServiceMetadata), ("$service", b.Service), ("$object_count", b.ObjectCount),
        ("$temp_volume_id", b.TempVolumeId), ("$temp_snapshot_id", b.TempSnapshotId), ("$num_dependent_backups", b.NumDependentBackups),
        ("$snapshot_id", b.SnapshotId), ("$data_timestamp", Time(b.DataTimestamp)), ("$restore_volume_id", b.RestoreVolumeId),
        ("$encryption_key_id", b.EncryptionKeyId), ("$created_at", Clock.ToStorage(b.CreatedAt)), ("$updated_at", Time(b.UpdatedAt)),
        ("$deleted_at", Time(b.DeletedAt)), ("$deleted", b.Deleted ? 1 : 0), ("$repository", b.Repository), ("$driver", b.Driver),
        ("$operation", b.Operation), ("$owner_host", b.OwnerHost), ("$owner_pid", b.OwnerPid), ("$owner_started_at", Time(b.OwnerStartedAt)),
        ("$heartbeat_at", Time(b.HeartbeatAt)), ("$progress_done", b.ProgressDone), ("$progress_total", b.ProgressTotal), ("$progress_rate", b.ProgressRate),
        ("$metadata_sha256", b.MetadataSha256), ("$sha256file_sha256", b.Sha256FileSha256),
        ("$repository_id", b.RepositoryId), ("$repository_location", b.RepositoryLocation), ("$compression", b.Compression),
        ("$bytes_read", b.BytesRead), ("$bytes_changed", b.BytesChanged), ("$bytes_stored", b.BytesStored), ("$duration_ms", b.DurationMs),
    };

    private static string? Time(DateTime? t) => t is DateTime v ? Clock.ToStorage(v) : null;

    private static BackupRow Map(DbDataReader r) => new()
    {
        Id = r.Str("id"),
        UserId = r.Str("user_id"),
        ProjectId = r.Str("project_id"),
        VolumeId = r.Str("volume_id"),
        Host = r.StrN("host"),
        AvailabilityZone = r.StrN("availability_zone"),
        Container = r.StrN("container"),
        ParentId = r.StrN("parent_id"),
        Status = r.StrN("status"),
        FailReason = r.StrN("fail_reason"),
        Size = (int?)r.LongN("size"),
        DisplayName = r.StrN("display_name"),
        DisplayDescription = r.StrN("display_description"),
        ServiceMetadata = r.StrN("service_metadata"),
        Service = r.StrN("service"),
        ObjectCount = (int?)r.LongN("object_count"),
        TempVolumeId = r.StrN("temp_volume_id"),
        TempSnapshotId = r.StrN("temp_snapshot_id"),
        NumDependentBackups = (int)(r.LongN("num_dependent_backups") ?? 0),
        SnapshotId = r.StrN("snapshot_id"),
        DataTimestamp = r.TimeN("data_timestamp"),
        RestoreVolumeId = r.StrN("restore_volume_id"),
        EncryptionKeyId = r.StrN("encryption_key_id"),
        CreatedAt = r.Time("created_at"),
        UpdatedAt = r.TimeN("updated_at"),
        DeletedAt = r.TimeN("deleted_at"),
        Deleted = r.Bool("deleted"),
        Repository = r.StrN("repository"),
        Driver = r.StrN("driver"),
        Operation = r.StrN("operation"),
        OwnerHost = r.StrN("owner_host"),
        OwnerPid = (int?)r.LongN("owner_pid"),
        OwnerStartedAt = r.TimeN("owner_started_at"),
        HeartbeatAt = r.TimeN("heartbeat_at"),
        ProgressDone = r.LongN("progress_done"),
        ProgressTotal = r.LongN("progress_total"),
        ProgressRate = r.GetOrdinal("progress_rate") is var i && r.IsDBNull(i) ? null : r.GetDouble(i),
        MetadataSha256 = r.StrN("metadata_sha256"),
        Sha256FileSha256 = r.StrN("sha256file_sha256"),
        RepositoryId = r.StrN("repository_id"),
        Compression = r.StrN("compression"),
        RepositoryLocation = r.StrN("repository_location"),
        BytesRead = r.LongN("bytes_read"),
        BytesChanged = r.LongN("bytes_changed"),
        BytesStored = r.LongN("bytes_stored"),
        DurationMs = r.LongN("duration_ms"),
    };
}
