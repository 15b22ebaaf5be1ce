using CinderBackup.Engine.Util;
using System.Data.Common;

namespace CinderBackup.Engine.Catalog;

/// <summary>SQL for the volumes, volume_metadata and volume_attachment tables.</summary>
internal static class VolumeTable
{
    public const string Columns = "id, display_name, display_description, project_id, user_id, size, size_bytes, status, previous_status, availability_zone, backend, path, bootable, created_at, updated_at, "
        + "(SELECT t.name FROM volume_types t WHERE t.id = volumes.volume_type_id) AS volume_type";

    public static void Insert(Db db, string id, string? name, string? description, string projectId, string userId,
        int size, long sizeBytes, string status, string zone, string host, string backend, string path, DateTime now, bool shared, string volumeTypeId)
    {
        db.Execute(
            """
            INSERT INTO volumes (id, display_name, display_description, project_id, user_id, size, size_bytes, status,
                                 availability_zone, host, backend, path, created_at, updated_at, shared, volume_type_id)
            VALUES ($id, $name, $desc, $project, $user, $size, $bytes, $status, $zone, $host, $backend, $path, $now, $now, $shared, $type)
            """,
            ("$id", id), ("$name", name), ("$desc", description), ("$project", projectId), ("$user", userId),
            ("$size", size), ("$bytes", sizeBytes), ("$status", status), ("$zone", zone), ("$host", host),
            ("$backend", backend), ("$path", path), ("$now", Clock.ToStorage(now)), ("$shared", shared ? 1 : 0), ("$type", volumeTypeId));
    }

    public static BlockVolume? Get(Db db, string id)
    {
        var v = db.QuerySingle($"SELECT {Columns} FROM volumes WHERE id = $id AND deleted = 0", Map, ("$id", id));
        return v is null ? null : Complete(db, v);
    }

    /// <summary>Volumes visible to a project (null: all projects), optionally only those with a given name.</summary>
    public static List<BlockVolume> List(Db db, string? projectId, string? exactName = null)
    {
        var sql = $"SELECT {Columns} FROM volumes WHERE deleted = 0"
            + (projectId is null ? "" : " AND project_id = $project")
            + (exactName is null ? "" : " AND display_name = $name")
            + " ORDER BY created_at DESC, id";
        var rows = db.Query(sql, Map, ("$project", projectId), ("$name", exactName));
        return rows.Select(v => Complete(db, v)).ToList();
    }

    /// <summary>Conditional status change (see <see cref="Db.UpdateIfStatusIn"/>).</summary>
    public static bool ConditionalStatus(Db db, string id, IEnumerable<string> expected, string newStatus, bool savePrevious = false) =>
        db.UpdateIfStatusIn("volumes", id, expected,
            "status = $status, updated_at = $now" + (savePrevious ? ", previous_status = status" : ""),
            ("$status", newStatus), ("$now", Clock.ToStorage(Clock.UtcNow)));

    public static void SetStatus(Db db, string id, string status, string? previousStatus = null)
    {
        db.Execute("UPDATE volumes SET status = $status, previous_status = COALESCE($prev, previous_status), updated_at = $now WHERE id = $id",
            ("$id", id), ("$status", status), ("$prev", previousStatus), ("$now", Clock.ToStorage(Clock.UtcNow)));
    }

    /// <summary>Sets status and previous_status both (a backup handing the volume back).</summary>
    public static void SetStatusAndPrevious(Db db, string id, string status, string previousStatus) =>
        db.Execute("UPDATE volumes SET status = $s, previous_status = $p, updated_at = $now WHERE id = $id",
            ("$s", status), ("$p", previousStatus), ("$now", Clock.ToStorage(Clock.UtcNow)), ("$id", id));

    /// <summary>A restore into the volume finished: available, launched (first time only).</summary>
    public static void SetRestored(Db db, string id)
    {
        db.Execute("UPDATE volumes SET status = 'available', launched_at = COALESCE(launched_at, $now), updated_at = $now WHERE id = $id",
            ("$now", Clock.ToStorage(Clock.UtcNow)), ("$id", id));
    }

    /// <summary>Replaces the volume's image (glance) metadata; a volume that has some is bootable.</summary>
    public static void SetGlanceMetadata(Db db, string id, IReadOnlyDictionary<string, string> metadata)
    {
        db.Execute("DELETE FROM volume_glance_metadata WHERE volume_id = $id", ("$id", id));
        foreach (var (k, v) in metadata)
        {
            db.Execute("INSERT INTO volume_glance_metadata (volume_id, key, value) VALUES ($id, $k, $v)", ("$id", id), ("$k", k), ("$v", v));
        }
        db.Execute("UPDATE volumes SET bootable = 1 WHERE id = $id", ("$id", id));
    }

    public static void SetSize(Db db, string id, int size, long sizeBytes)
    {
        db.Execute("UPDATE volumes SET size = $size, size_bytes = $bytes, updated_at = $now WHERE id = $id",
            ("$id", id), ("$size", size), ("$bytes", sizeBytes), ("$now", Clock.ToStorage(Clock.UtcNow)));
    }

    public static void SetNameAndDescription(Db db, string id, string? name, string? description)
    {
        db.Execute("UPDATE volumes SET display_name = $name, display_description = $desc, updated_at = $now WHERE id = $id",
            ("$id", id), ("$name", name), ("$desc", description), ("$now", Clock.ToStorage(Clock.UtcNow)));
    }

    public static void SoftDelete(Db db, string id)
    {
        var now = Clock.ToStorage(Clock.UtcNow);
        db.Execute("UPDATE volumes SET status = 'deleted', deleted = 1, deleted_at = $now, terminated_at = $now, updated_at = $now WHERE id = $id",
            ("$id", id), ("$now", now));
        db.Execute("UPDATE volume_attachment SET deleted = 1 WHERE volume_id = $id", ("$id", id));
    }

    public static void SetMetadata(Db db, string id, IReadOnlyDictionary<string, string> metadata, bool replace)
    {
        if (replace)
        {
            db.Execute("DELETE FROM volume_metadata WHERE volume_id = $id", ("$id", id));
        }
        foreach (var (k, v) in metadata)
        {
            db.Execute("INSERT INTO volume_metadata (volume_id, key, value) VALUES ($id, $k, $v) ON CONFLICT (volume_id, key) DO UPDATE SET value = excluded.value",
                ("$id", id), ("$k", k), ("$v", v));
        }
    }

    public static void AddAttachment(Db db, string attachmentId, string volumeId, string instance, string device, DateTime now)
    {
        db.Execute(
            "INSERT INTO volume_attachment (id, volume_id, instance_uuid, mountpoint, attach_status, attach_time) VALUES ($id, $vol, $inst, $dev, 'attached', $now)",
            ("$id", attachmentId), ("$vol", volumeId), ("$inst", instance), ("$dev", device), ("$now", Clock.ToStorage(now)));
        db.Execute("UPDATE volumes SET attach_status = 'attached' WHERE id = $id", ("$id", volumeId));
    }

    public static void RemoveAttachments(Db db, string volumeId, DateTime now)
    {
        db.Execute("UPDATE volume_attachment SET deleted = 1, attach_status = 'detached', detach_time = $now WHERE volume_id = $vol AND deleted = 0",
            ("$vol", volumeId), ("$now", Clock.ToStorage(now)));
        db.Execute("UPDATE volumes SET attach_status = 'detached' WHERE id = $id", ("$id", volumeId));
    }

    /// <summary>The project's volumes not deleted (quota usage of <c>volumes</c>).</summary>
    public static long CountInProject(Db db, string project) =>
        db.ScalarLong("SELECT COUNT(*) FROM volumes WHERE project_id = $p AND deleted = 0", ("$p", project));

    /// <summary>The sum of the sizes (GiB) of the project's volumes not deleted (quota usage of <c>gigabytes</c>).</summary>
    public static long SizeInProject(Db db, string project) =>
        db.ScalarLong("SELECT COALESCE(SUM(size), 0) FROM volumes WHERE project_id = $p AND deleted = 0", ("$p", project));

    /// <summary>Volumes not deleted, in every project.</summary>
    public static int Count(Db db) => (int)db.ScalarLong("SELECT count(*) FROM volumes WHERE deleted = 0;");

    public static int CountSnapshots(Db db, string volumeId) =>
        (int)db.ScalarLong("SELECT COUNT(*) FROM snapshots WHERE volume_id = $id AND deleted = 0", ("$id", volumeId));

    private static BlockVolume Map(DbDataReader r) => new()
    {
        Id = r.Str("id"),
        Name = r.StrN("display_name"),
        Description = r.StrN("display_description"),
        ProjectId = r.Str("project_id"),
        UserId = r.Str("user_id"),
        Size = r.Int("size"),
        SizeBytes = r.Long("size_bytes"),
        Status = r.Str("status"),
        PreviousStatus = r.StrN("previous_status"),
        AvailabilityZone = r.Str("availability_zone"),
        Backend = r.Str("backend"),
        Path = r.Str("path"),
        Bootable = r.Bool("bootable"),
        CreatedAtUtc = r.Time("created_at"),
        UpdatedAtUtc = r.TimeN("updated_at"),
        VolumeType = r.StrN("volume_type"),
    };

    private static BlockVolume Complete(Db db, BlockVolume v)
    {
        var attachments = db.Query(
            "SELECT id, volume_id, instance_uuid, mountpoint, attach_time FROM volume_attachment WHERE volume_id = $id AND deleted = 0 ORDER BY attach_time",
            r => new VolumeAttachment
            {
                Id = r.Str("id"),
                VolumeId = r.Str("volume_id"),
                InstanceId = r.Str("instance_uuid"),
                Device = r.Str("mountpoint"),
                AttachedAtUtc = r.Time("attach_time"),
            },
            ("$id", v.Id));
        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, val) in db.Query("SELECT key, value FROM volume_metadata WHERE volume_id = $id", r => (r.Str("key"), r.StrN("value") ?? ""), ("$id", v.Id)))
        {
            metadata[k] = val;
        }
        return new BlockVolume
        {
            Id = v.Id, Name = v.Name, Description = v.Description, ProjectId = v.ProjectId, UserId = v.UserId,
            Size = v.Size, SizeBytes = v.SizeBytes, Status = v.Status, PreviousStatus = v.PreviousStatus,
            AvailabilityZone = v.AvailabilityZone, Backend = v.Backend, Path = v.Path, Bootable = v.Bootable, VolumeType = v.VolumeType,
            CreatedAtUtc = v.CreatedAtUtc, UpdatedAtUtc = v.UpdatedAtUtc, Attachments = attachments, Metadata = metadata,
        };
    }

    /// <summary>Whether the administrator recorded the row (on PostgreSQL a trigger stamps 0 on a project role's rows;
    /// a row that is gone counts as the administrator's, so the caller's own lookup reports it).</summary>
    public static bool RecordedByAdmin(Db db, string id) =>
        db.ScalarLong("SELECT COALESCE(MAX(recorded_by_admin), 1) FROM volumes WHERE id = $id", ("$id", id)) != 0;
}
