using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using Microsoft.Data.Sqlite;

namespace CinderBackup.Engine.Tests;

public sealed class CatalogTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _home.Dispose();
    }

    private static SqliteConnection Raw(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    private static object? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    [SqliteFileFact("reads the tables of catalog.db with SQLite (PostgresCatalogTests checks the PostgreSQL schema)")]
    public void MigrationsCreateEveryTableOnFirstOpen()
    {
        using (var engine = EngineFactory.Open(_home))
        {
            Assert.Equal(Migrations.Latest, engine.CatalogSchemaVersion);
        }
        using var c = Raw(_home.CatalogPath);
        Assert.Equal((long)Migrations.Latest, Scalar(c, "PRAGMA user_version"));
        foreach (var table in new[] { "volumes", "volume_metadata", "volume_attachment", "snapshots", "backups", "backup_metadata", "quotas", "quota_usages", "reservations", "services" })
        {
            Assert.Equal(1L, Scalar(c, $"SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='{table}'"));
        }
        Assert.Equal("wal", Scalar(c, "PRAGMA journal_mode"));
    }

    [SqliteFileFact("reads PRAGMA table_info of catalog.db")]
    public void BackupsTableHoldsEveryFieldOfCindersBackupRecord()
    {
        using (EngineFactory.Open(_home))
        {
        }
        using var c = Raw(_home.CatalogPath);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT name FROM pragma_table_info('backups')";
        var columns = new List<string>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                columns.Add(r.GetString(0));
            }
        }
        // cinder-reference.md §5.1, in Cinder's order (display_name/description are Cinder's column names).
        var cinder = new[]
        {
            "id", "user_id", "project_id", "volume_id", "host", "availability_zone", "container", "parent_id", "status",
            "fail_reason", "size", "display_name", "display_description", "service_metadata", "service", "object_count",
            "temp_volume_id", "temp_snapshot_id", "num_dependent_backups", "snapshot_id", "data_timestamp",
            "restore_volume_id", "encryption_key_id", "created_at", "updated_at", "deleted_at", "deleted",
        };
        Assert.Empty(cinder.Except(columns));
        Assert.Equal(1L, Scalar(c, "SELECT COUNT(*) FROM sqlite_master WHERE name='backup_metadata'"));
    }

    [SqliteFileFact("the mode of catalog.db")]
    public void CatalogFileIsPrivate()
    {
        using (EngineFactory.Open(_home))
        {
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_home.CatalogPath));
    }

    [Fact]
    public void ReopeningKeepsDataAndDoesNotMigrateAgain()
    {
        using (var engine = EngineFactory.Open(_home))
        {
            engine.Volumes.Create("v1", 1);
        }
        using (var engine = EngineFactory.Open(_home))
        {
            Assert.Single(engine.Volumes.List());
            Assert.Equal(Migrations.Latest, engine.CatalogSchemaVersion);
        }
    }

    [SqliteFileFact("an empty catalog.db file")]
    public void MigratesAnOlderCatalogStepByStep()
    {
        // A catalog left at version 0 (empty file) is initialised; one at an older version gets the rest.
        Directory.CreateDirectory(_home.Home);
        File.WriteAllBytes(_home.CatalogPath, Array.Empty<byte>());
        using var engine = EngineFactory.Open(_home);
        Assert.Equal(Migrations.Latest, engine.CatalogSchemaVersion);
    }

    [SqliteFileFact("PRAGMA user_version of catalog.db")]
    public void ACatalogFromANewerVersionIsRefused()
    {
        using (EngineFactory.Open(_home))
        {
        }
        using (var c = Raw(_home.CatalogPath))
        {
            Scalar(c, "PRAGMA user_version = 999");
        }
        var e = Assert.Throws<CinderBackupException>(() => EngineFactory.Open(_home));
        Assert.Equal(ErrorIds.CatalogTooNew, e.ErrorId);
        Assert.Contains("schema version 999", e.Message);
    }

    [SqliteFileFact("the bytes of catalog.db corrupted")]
    public void ACorruptFileIsACleanErrorAndIsLeftAlone()
    {
        Directory.CreateDirectory(_home.Home);
        var garbage = new byte[8192];
        new Random(1).NextBytes(garbage);
        File.WriteAllBytes(_home.CatalogPath, garbage);
        var e = Assert.Throws<CinderBackupException>(() => EngineFactory.Open(_home));
        Assert.Equal(ErrorIds.CatalogCorrupt, e.ErrorId);
        Assert.Contains(_home.CatalogPath, e.Message);
        Assert.Contains("corrupt or not an SQLite database", e.Message);
        Assert.Equal(garbage, File.ReadAllBytes(_home.CatalogPath));
    }

    [SqliteFileFact("another application's SQLite file at catalog.db")]
    public void SomeoneElsesDatabaseIsRefused()
    {
        Directory.CreateDirectory(_home.Home);
        using (var c = Raw(_home.CatalogPath))
        {
            Scalar(c, "CREATE TABLE invoices (id INTEGER)");
        }
        var e = Assert.Throws<CinderBackupException>(() => EngineFactory.Open(_home));
        Assert.Equal(ErrorIds.CatalogCorrupt, e.ErrorId);
        Assert.Contains("not a CinderBackup catalog", e.Message);
        Assert.Contains("invoices", e.Message);
    }

    [SqliteFileFact("catalog.db made read-only by its mode")]
    public void AReadOnlyCatalogCanBeReadButNotChanged()
    {
        using (var engine = EngineFactory.Open(_home))
        {
            engine.Volumes.Create("v1", 1);
        }
        File.SetUnixFileMode(_home.CatalogPath, UnixFileMode.UserRead);
        var poolFiles = Directory.GetFiles(Path.Combine(_home.Home, "volumes")).Length;
        using (var engine = EngineFactory.Open(_home))
        {
            Assert.Single(engine.Volumes.List());
            var e = Assert.Throws<CinderBackupException>(() => engine.Volumes.Create("v2", 1));
            Assert.Equal(ErrorIds.CatalogReadOnly, e.ErrorId);
            Assert.Equal($"The catalog '{_home.CatalogPath}' is read-only; nothing was changed.", e.Message);
        }
        // The image the failed create made was removed again.
        Assert.Equal(poolFiles, Directory.GetFiles(Path.Combine(_home.Home, "volumes")).Length);
    }

    [SqliteFileFact("an SQLite write lock held on catalog.db")]
    public void ALockedCatalogGivesUpAfterTheBusyTimeout()
    {
        _home.WriteConfig("catalog_busy_timeout: 1\n");
        using (EngineFactory.Open(_home))
        {
        }
        using var holder = Raw(_home.CatalogPath);
        Scalar(holder, "BEGIN IMMEDIATE");
        Scalar(holder, "INSERT INTO catalog_info (key, value) VALUES ('lock', 'held')");
        using var engine = EngineFactory.Open(_home);
        var started = DateTime.UtcNow;
        var e = Assert.Throws<CinderBackupException>(() => engine.Volumes.Create("v1", 1));
        var waited = DateTime.UtcNow - started;
        Assert.Equal(ErrorIds.CatalogLocked, e.ErrorId);
        Assert.Contains("is locked by another process", e.Message);
        Assert.InRange(waited.TotalSeconds, 0.9, 20);
        Scalar(holder, "ROLLBACK");
        Assert.Empty(engine.Volumes.List());
        Assert.Empty(Directory.GetFiles(Path.Combine(_home.Home, "volumes")));
    }

    [Fact]
    public async Task ConcurrentWritersFromSeparateConnectionsLoseNothing()
    {
        _home.WriteConfig("quota_volumes: -1\n"); // 60 volumes in one project: over Cinder's default of 10
        using (EngineFactory.Open(_home))
        {
        }
        const int writers = 4, each = 15;
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < each; i++)
            {
                using var engine = EngineFactory.Open(_home);
                engine.Volumes.Create($"w{w}-{i}", 1);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        using var check = EngineFactory.Open(_home);
        Assert.Equal(writers * each, check.Volumes.List().Count);
    }
}
