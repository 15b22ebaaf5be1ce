using CinderBackup.Engine.Util;
using System.Data.Common;

namespace CinderBackup.Engine.Catalog;

/// <summary>SQL for the volume_types table (migration 7).</summary>
internal static class VolumeTypeTable
{
    /// <summary>Cinder's default type (since Train), made by migration 7 with this id.</summary>
    public const string DefaultName = "__DEFAULT__";

    private const string Columns = "id, name, description, is_public, created_at";

    public static void Insert(Db db, string id, string name, string? description, bool isPublic, DateTime now) =>
        db.Execute("INSERT INTO volume_types (id, name, description, is_public, created_at) VALUES ($id, $name, $desc, $public, $now)",
            ("$id", id), ("$name", name), ("$desc", description), ("$public", isPublic ? 1 : 0), ("$now", Clock.ToStorage(now)));

    public static VolumeType? GetById(Db db, string id) =>
        db.QuerySingle($"SELECT {Columns} FROM volume_types WHERE id = $id", Map, ("$id", id));

    public static VolumeType? GetByName(Db db, string name) =>
        db.QuerySingle($"SELECT {Columns} FROM volume_types WHERE name = $name", Map, ("$name", name));

    public static List<VolumeType> List(Db db) => db.Query($"SELECT {Columns} FROM volume_types ORDER BY name", Map);

    /// <summary>Volumes not deleted, in any project, that have the type.</summary>
    public static long CountVolumes(Db db, string id) =>
        db.ScalarLong("SELECT COUNT(*) FROM volumes WHERE volume_type_id = $id AND deleted = 0", ("$id", id));

    public static void Delete(Db db, string id) => db.Execute("DELETE FROM volume_types WHERE id = $id", ("$id", id));

    private static VolumeType Map(DbDataReader r) => new()
    {
        Id = r.Str("id"),
        Name = r.Str("name"),
        Description = r.StrN("description"),
        IsPublic = r.Bool("is_public"),
        CreatedAtUtc = r.Time("created_at"),
    };
}
