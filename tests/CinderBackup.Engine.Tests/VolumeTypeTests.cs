using CinderBackup.Engine.Errors;
using Microsoft.Data.Sqlite;

namespace CinderBackup.Engine.Tests;

/// <summary>Issue 20, item 3: volume types in the engine (migration 7, Cinder's rules for create, delete and use).</summary>
public sealed class VolumeTypeTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private static void Sql(string path, string sql)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    [SqliteFileFact("a schema-6 catalog.db made with DROP COLUMN and PRAGMA user_version")]
    public void VolumesOfASchema6CatalogTakeTheDefaultType()
    {
        using (var engine = EngineFactory.Open(_home))
        {
            engine.Volumes.Create("old", 1);
        }
        // Back to schema 6 as it was: no volume_types table, volume_type_id unset.
        Sql(_home.CatalogPath, "DROP TABLE volume_types; UPDATE volumes SET volume_type_id = NULL; ALTER TABLE backups DROP COLUMN bytes_read; ALTER TABLE backups DROP COLUMN bytes_changed; ALTER TABLE backups DROP COLUMN bytes_stored; ALTER TABLE backups DROP COLUMN duration_ms; ALTER TABLE volumes DROP COLUMN recorded_by_admin; ALTER TABLE snapshots DROP COLUMN recorded_by_admin; PRAGMA user_version = 6;");
        using (var engine = EngineFactory.Open(_home))
        {
            Assert.Equal("__DEFAULT__", engine.Volumes.Get("old").VolumeType);
            Assert.Equal("__DEFAULT__", Assert.Single(engine.VolumeTypes.List()).Name);
        }
    }

    [Fact]
    public void AVolumeHasTheTypeItWasCreatedWithByNameOrId()
    {
        using var engine = EngineFactory.Open(_home);
        var io1 = engine.VolumeTypes.Create("io1", "fast");
        Assert.Equal("io1", engine.Volumes.Create("a", 1, volumeType: "io1").VolumeType);
        Assert.Equal("io1", engine.Volumes.Create("b", 1, volumeType: io1.Id).VolumeType);
        Assert.Equal("__DEFAULT__", engine.Volumes.Create("c", 1).VolumeType);
        Assert.Equal(new[] { "__DEFAULT__", "io1" }, engine.VolumeTypes.List().Select(t => t.Name));
    }

    [Fact]
    public void AnUnknownTypeCreatesNoVolumeAndNoFile()
    {
        using var engine = EngineFactory.Open(_home);
        var e = Assert.Throws<CinderBackupException>(() => engine.Volumes.Create("a", 1, volumeType: "io1"));
        Assert.Equal(ErrorIds.VolumeTypeNotFound, e.ErrorId);
        Assert.Equal("Volume type with name io1 could not be found.", e.Message);
        Assert.Empty(engine.Volumes.List());
        Assert.Empty(Directory.Exists(engine.Config.VolumePoolPath) ? Directory.GetFiles(engine.Config.VolumePoolPath) : Array.Empty<string>());
    }

    [Fact]
    public void OnlyAnAdminCreatesOrDeletesATypeAndNotTheDefaultOrOneInUse()
    {
        using (var user = EngineFactory.Open(_home, project: "p1", admin: false))
        {
            Assert.Equal(ErrorIds.PolicyNotAuthorized, Assert.Throws<CinderBackupException>(() => user.VolumeTypes.Create("io1")).ErrorId);
        }
        using (var admin = EngineFactory.Open(_home))
        {
            admin.VolumeTypes.Create("io1");
            var dup = Assert.Throws<CinderBackupException>(() => admin.VolumeTypes.Create("io1"));
            Assert.Equal((ErrorIds.VolumeTypeExists, "Volume Type io1 already exists."), (dup.ErrorId, dup.Message));
            var def = Assert.Throws<CinderBackupException>(() => admin.VolumeTypes.Delete("__DEFAULT__"));
            Assert.EndsWith("is a default volume type and cannot be deleted.", def.Message, StringComparison.Ordinal);
        }
        using (var user = EngineFactory.Open(_home, project: "p1", admin: false))
        {
            user.Volumes.Create("theirs", 1, volumeType: "io1");
            Assert.Equal(ErrorIds.PolicyNotAuthorized, Assert.Throws<CinderBackupException>(() => user.VolumeTypes.Delete("io1")).ErrorId);
        }
        using (var admin = EngineFactory.Open(_home))
        {
            var io1 = admin.VolumeTypes.Get("io1");
            var inUse = Assert.Throws<CinderBackupException>(() => admin.VolumeTypes.Delete("io1"));
            Assert.Equal((ErrorIds.VolumeTypeInUse, $"Volume Type {io1.Id} deletion is not allowed with volumes present with the type."),
                (inUse.ErrorId, inUse.Message));
            admin.Volumes.Delete(admin.Volumes.List(allProjects: true).Single().Id);
            admin.VolumeTypes.Delete("io1");
            Assert.Equal("__DEFAULT__", Assert.Single(admin.VolumeTypes.List()).Name);
        }
    }
}
