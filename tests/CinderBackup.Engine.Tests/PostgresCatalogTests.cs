using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Api;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// The PostgreSQL catalog engine (issue 19, item 1) against a real, throwaway PostgreSQL 15 (<see cref="PostgresServer"/>):
/// the fixture itself, choosing the engine by <c>database: connection</c>, passwords, migrations under an advisory lock
/// when several hosts start together, and catalog backup/restore as SQLite catalog files.
/// </summary>
[Trait("Catalog", "PostgreSQL")]
public sealed class PostgresCatalogTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly PostgresServer _server = PostgresServer.Shared;
    private readonly string _database;

    public PostgresCatalogTests()
    {
        _database = _server.CreateDatabase();
    }

    public void Dispose()
    {
        _server.DropDatabase(_database);
        _home.Dispose();
    }

    private TempHome OnPostgres() => _home
        .Set(ConfigSchema.DatabaseVariable, null)
        .Set("PGPASSWORD", _server.Password)
        .WriteConfig($"database:\n  connection: {_server.Url(_database)}\n");

    [Fact]
    public void FixtureStartsAThrowawayClusterAndRemovesIt()
    {
        var server = new PostgresServer();
        var root = server.Root;
        Assert.Equal("1", server.Sql("postgres", "SELECT 1").Trim());
        Assert.Equal("15", File.ReadAllText(Path.Combine(server.DataDirectory, "PG_VERSION")).Trim());
        var pid = int.Parse(File.ReadLines(Path.Combine(server.DataDirectory, "postmaster.pid")).First().Trim());
        server.Dispose();
        Assert.False(Directory.Exists(root));
        Assert.False(PostgresServer.IsAlive(pid));

        // A cluster whose test process was killed (its owner.pid names a process that is gone) is stopped and removed by the next.
        var orphan = new PostgresServer();
        using (var gone = System.Diagnostics.Process.Start("true")!)
        {
            gone.WaitForExit();
            File.WriteAllText(Path.Combine(orphan.Root, "owner.pid"), gone.Id.ToString());
        }
        var orphanPid = int.Parse(File.ReadLines(Path.Combine(orphan.DataDirectory, "postmaster.pid")).First().Trim());
        using (var next = new PostgresServer())
        {
            Assert.False(Directory.Exists(orphan.Root));
            Assert.False(PostgresServer.IsAlive(orphanPid));
        }
    }

    [Fact]
    public void DatabaseConnectionChoosesPostgresAndTheEngineWorksOnIt()
    {
        OnPostgres();
        using (var engine = EngineFactory.Open(_home, "demo", "alice", admin: true))
        {
            Assert.Equal(Migrations.Latest, engine.CatalogSchemaVersion);
            engine.Volumes.Create("vol1", 1, metadata: new Dictionary<string, string> { ["tier"] = "gold" });
            var b = engine.Backups.Create(new BackupCreateOptions { Volume = "vol1", Name = "b1" });
            Assert.Equal("available", b.Status);
            var inc = engine.Backups.Create(new BackupCreateOptions { Volume = "vol1", Name = "b2", Incremental = true });
            Assert.True(inc.IsIncremental);
            Assert.Equal(new[] { "b2", "b1" }, engine.Backups.List().Select(x => x.Name));
            Assert.Equal(1, engine.Backups.Get("b1").NumDependentBackups);
        }
        // The rows are in PostgreSQL, and no SQLite catalog was made.
        Assert.Equal("2", _server.Sql(_database, "SELECT count(*) FROM backups WHERE deleted = 0").Trim());
        Assert.Equal(Migrations.Latest.ToString(), _server.Sql(_database, "SELECT version FROM cinderbackup_schema").Trim());
        Assert.False(File.Exists(_home.CatalogPath));
    }

    [Fact]
    public void SeveralHostsStartingTogetherMigrateOnce()
    {
        OnPostgres();
        var config = ConfigLoader.Load(null, _home.Env);
        using var start = new Barrier(8);
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                using var catalog = CatalogOpener.Open(config);
                Assert.Equal(Migrations.Latest, catalog.SchemaVersion);
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(errors);
        Assert.Equal("1", _server.Sql(_database, "SELECT count(*) FROM catalog_info WHERE key = 'application'").Trim());
        Assert.Equal("1", _server.Sql(_database, "SELECT count(*) FROM cinderbackup_schema").Trim());
    }

    [Fact]
    public void ADatabaseWithOtherTablesIsRefused()
    {
        OnPostgres();
        _server.Sql(_database, "CREATE TABLE invoices (id int)");
        var e = Assert.Throws<CinderBackupException>(() => EngineFactory.Open(_home));
        Assert.Equal(ErrorIds.CatalogCorrupt, e.ErrorId);
        Assert.Contains("invoices", e.Message);
        Assert.Equal("0", _server.Sql(_database, "SELECT count(*) FROM pg_tables WHERE tablename = 'backups'").Trim());
    }

    [Fact]
    public void PasswordComesFromTheEnvironmentOrThePasswordFile()
    {
        OnPostgres();
        _home.Set("PGPASSWORD", null);
        var e = Assert.Throws<CinderBackupException>(() => EngineFactory.Open(_home));
        Assert.Equal(ErrorIds.CatalogUnavailable, e.ErrorId);
        Assert.Contains("PGPASSWORD or ~/.pgpass", e.Message);

        var pgpass = Path.Combine(_home.Root, ".pgpass");
        File.WriteAllText(pgpass, $"127.0.0.1:{_server.Port}:*:postgres:{_server.Password}\n");
        File.SetUnixFileMode(pgpass, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        e = Assert.Throws<CinderBackupException>(() => EngineFactory.Open(_home));
        Assert.Equal(ErrorIds.ConfigInsecure, e.ErrorId);
        Assert.Contains($"'{pgpass}'", e.Message);
        Assert.DoesNotContain(_server.Password, e.Message);

        File.SetUnixFileMode(pgpass, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var engine = EngineFactory.Open(_home);
        Assert.Equal(Migrations.Latest, engine.CatalogSchemaVersion);
    }

    [Fact]
    public void APasswordInTheFileNeedsMode0600AndIsNeverShown()
    {
        _home.Set("PGPASSWORD", null).Set(ConfigSchema.DatabaseVariable, null)
            .WriteConfig($"database:\n  connection: postgresql://postgres:{_server.Password}@127.0.0.1:{_server.Port}/{_database}\n");
        File.SetUnixFileMode(_home.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var e = Assert.Throws<CinderBackupException>(() => EngineFactory.Open(_home));
        Assert.Equal(ErrorIds.ConfigInsecure, e.ErrorId);
        Assert.Contains("holds credentials ('database: connection', line 2)", e.Message);
        Assert.DoesNotContain(_server.Password, e.Message);

        File.SetUnixFileMode(_home.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var engine = EngineFactory.Open(_home);
        Assert.DoesNotContain(_server.Password, engine.Catalog.Path);
        Assert.Equal($"postgresql://postgres@127.0.0.1:{_server.Port}/{_database}", engine.Catalog.Path);
    }

    [Theory]
    [InlineData("mysql://u@h/db", "must be a PostgreSQL URL")]
    [InlineData("sqlite:////var/lib/cinder/cinder.sqlite", "SQLite is the default catalog")]
    [InlineData("postgresql://u@h", "names no database")]
    [InlineData("postgresql://u@h:99999/db", "has port '99999'")]
    [InlineData("postgresql://u@h:5432/db?application_name=x", "unsupported parameter 'application_name'")]
    [InlineData("postgresql://u@:5432/db", "names no host")]
    public void BadConnectionsNameTheOption(string url, string what)
    {
        _home.WriteConfig($"database:\n  connection: \"{url}\"\n");
        var e = Assert.Throws<CinderBackupException>(() => ConfigLoader.Load(null, _home.Env));
        Assert.Equal(ErrorIds.ConfigInvalid, e.ErrorId);
        Assert.Contains("line 2: 'database: connection' ", e.Message);
        Assert.Contains(what, e.Message);

        _home.WriteConfig("").Set(ConfigSchema.DatabaseVariable, url);
        e = Assert.Throws<CinderBackupException>(() => ConfigLoader.Load(null, _home.Env));
        Assert.Contains($"{ConfigSchema.DatabaseVariable}: the database connection ", e.Message);
        Assert.Contains(what, e.Message);
    }

    [Theory]
    [InlineData("postgresql://u:se/cret@h:99999/db", "has port '99999'")]
    [InlineData("postgresql://u:ab/cd@h:x/db", "has port 'x'")]
    [InlineData("postgresql://u:p?cret@h/db?application_name=x", "unsupported parameter 'application_name'")]
    public void APasswordWithSlashOrQuestionMarkIsNeverQuoted(string url, string what)
    {
        _home.WriteConfig("").Set(ConfigSchema.DatabaseVariable, url);
        var e = Assert.Throws<CinderBackupException>(() => ConfigLoader.Load(null, _home.Env));
        Assert.Contains(what, e.Message);
        Assert.DoesNotContain("cret", e.Message);
        Assert.DoesNotContain("ab/cd", e.Message);
    }

    [Theory]
    [InlineData("database: postgresql://u@h/db\n", "line 1: 'database' must be a mapping holding 'connection'")]
    [InlineData("database:\n  url: postgresql://u@h/db\n", "line 2: unknown key 'url' in 'database'")]
    [InlineData("database:\n  connection: [a, b]\n", "line 2: 'database: connection' must be a single value")]
    public void BadDatabaseSectionsNameTheKey(string yaml, string what)
    {
        _home.WriteConfig(yaml);
        var e = Assert.Throws<CinderBackupException>(() => ConfigLoader.Load(null, _home.Env));
        Assert.Equal(ErrorIds.ConfigInvalid, e.ErrorId);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void NoConnectionMeansTheSqliteCatalog()
    {
        _home.Set(ConfigSchema.DatabaseVariable, null);
        using var engine = EngineFactory.Open(_home);
        Assert.Equal(_home.CatalogPath, engine.Catalog.Path);
        Assert.True(File.Exists(_home.CatalogPath));
    }

    [Fact]
    public void AnUnreachableServerIsNamed()
    {
        _home.Set("PGPASSWORD", "x").Set(ConfigSchema.DatabaseVariable, null).WriteConfig($"catalog_busy_timeout: 2\ndatabase:\n  connection: postgresql://postgres@127.0.0.1:{MotoServer.FreePort()}/nothere\n");
        var e = Assert.Throws<CinderBackupException>(() => EngineFactory.Open(_home));
        Assert.Equal(ErrorIds.CatalogUnavailable, e.ErrorId);
        Assert.Contains("cannot be reached", e.Message);
    }

    [Fact]
    public void CatalogBackupIsAnSqliteCatalogFileThatRestoresOnEitherEngine()
    {
        OnPostgres();
        var copies = Path.Combine(_home.Root, "copies");
        Directory.CreateDirectory(copies);
        string copy;
        using (var engine = EngineFactory.Open(_home, "demo", "alice", admin: true))
        {
            engine.Volumes.Create("vol1", 1, metadata: new Dictionary<string, string> { ["tier"] = "gold" });
            engine.Backups.Create(new BackupCreateOptions { Volume = "vol1", Name = "b1" });
            engine.Backups.Create(new BackupCreateOptions { Volume = "vol1", Name = "b2", Incremental = true });
            engine.Quotas.Set("demo", backups: 7);
            var c = engine.CatalogFile.Backup(copies);
            (copy, var counts) = (c.Path, (c.Volumes, c.Backups, c.SchemaVersion));
            Assert.Equal((1, 2, Migrations.Latest), counts);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(copy));

            // Change rows after the copy, then put the copy back: the rows as copied return, identities and sequences go on.
            engine.Backups.Create(new BackupCreateOptions { Volume = "vol1", Name = "b3", Incremental = true });
            engine.Quotas.Set("demo", backups: 9);
            engine.Volumes.Update("vol1", metadata: new Dictionary<string, string> { ["tier"] = "lead" });
            var restored = engine.CatalogFile.Restore(copy);
            Assert.NotNull(restored.PreviousCatalogPath);
            Assert.Equal(new[] { "b2", "b1" }, engine.Backups.List().Select(b => b.Name));
            Assert.Equal(1, engine.Backups.Get("b1").NumDependentBackups);
            Assert.Equal("gold", engine.Volumes.Get("vol1").Metadata["tier"]);
            Assert.Equal(7, engine.Quotas.Get("demo").Backups);
            engine.Backups.Create(new BackupCreateOptions { Volume = "vol1", Name = "b4", Incremental = true });
            Assert.Equal("available", engine.Backups.Get("b4").Status);
        }
        // The PostgreSQL copy is an SQLite catalog: an SQLite engine restores it too.
        using var sqliteHome = new TempHome();
        sqliteHome.Set(ConfigSchema.DatabaseVariable, null);
        using (var sqlite = EngineFactory.Open(sqliteHome, "demo", "alice", admin: true))
        {
            sqlite.CatalogFile.Restore(copy);
            Assert.Equal(new[] { "b2", "b1" }, sqlite.Backups.List().Select(b => b.Name));
        }
    }

    [Fact]
    public void AProjectRoleCannotReachAnotherProjectsBackupsEvenAsAdmin()
    {
        OnPostgres();
        string theirs, mine;
        using (var admin = EngineFactory.Open(_home, "projb", "bob", admin: true))
        {
            admin.Volumes.Create("bvol", 1);
            theirs = admin.Backups.Create(new BackupCreateOptions { Volume = "bvol", Name = "bback" }).Id;
        }
        using (var admin = EngineFactory.Open(_home, "proja", "amy"))
        {
            admin.Volumes.Create("avol", 1);
            mine = admin.Backups.Create(new BackupCreateOptions { Volume = "avol", Name = "aback" }).Id;
        }
        // A login role granted project A only (provisioned as the README says).
        var role = "alice_" + Guid.NewGuid().ToString("N")[..8];
        _server.Sql(_database, $"CREATE ROLE {role} LOGIN PASSWORD 'alice-pw' IN ROLE {PostgresSecurity.ProjectRole}; " +
            $"INSERT INTO project_roles (role_name, project_id) VALUES ('{role}', 'proja')");
        _home.WriteConfig($"database:\n  connection: {_server.Url(_database, role)}\n").Set("PGPASSWORD", "alice-pw");
        var before = _server.Sql(_database, "SELECT id, status, deleted, project_id FROM backups ORDER BY id");

        // The engine asks the server who the role is: administration and other projects are refused up front.
        var e = Assert.Throws<CinderBackupException>(() => EngineFactory.Open(_home, "proja", "alice", admin: true));
        Assert.Equal(ErrorIds.PolicyNotAuthorized, e.ErrorId);
        Assert.Contains($"role '{role}' is not an administrator", e.Message);
        e = Assert.Throws<CinderBackupException>(() => EngineFactory.Open(_home, "projb", "alice"));
        Assert.Equal(ErrorIds.PolicyNotAuthorized, e.ErrorId);
        Assert.Contains($"role '{role}' is not granted project 'projb': the server grants it only 'proja'", e.Message);
        e = Assert.Throws<CinderBackupException>(() => EngineFactory.Open(_home, "projb", "alice", admin: true));
        Assert.Equal(ErrorIds.PolicyNotAuthorized, e.ErrorId);

        // As project A it works on A, and B's backup is as unknown as a made-up id: not seen, restored, exported, deleted.
        using (var alice = EngineFactory.Open(_home, "proja", "alice"))
        {
            Assert.Equal(new[] { "aback" }, alice.Backups.List().Select(b => b.Name));
            NotFound(() => alice.Backups.Get(theirs));
            NotFound(() => alice.Backups.Restore(theirs, name: "stolen"));
            // Export is an administrator's action (Cinder's backup:export-import policy), refused before any lookup.
            Assert.Equal(ErrorIds.PolicyNotAuthorized, Assert.Throws<CinderBackupException>(() => alice.Backups.Export(theirs)).ErrorId);
            NotFound(() => alice.Backups.Delete(theirs));
            Assert.Equal("available", alice.Backups.Get(mine).Status);
        }
        // The server holds the line without the engine: the role's own SQL sees and changes only project A's rows.
        Assert.Equal("1", _server.SqlAs(role, "alice-pw", _database, "SELECT count(*) FROM backups").Trim());
        Assert.Equal("0", _server.SqlAs(role, "alice-pw", _database, $"WITH u AS (UPDATE backups SET status = 'error' WHERE id = '{theirs}' RETURNING 1) SELECT count(*) FROM u").Trim());
        Assert.Equal("0", _server.SqlAs(role, "alice-pw", _database, $"WITH d AS (DELETE FROM backups WHERE id = '{theirs}' RETURNING 1) SELECT count(*) FROM d").Trim());
        var refused = Assert.Throws<InvalidOperationException>(() => _server.SqlAs(role, "alice-pw", _database,
            "INSERT INTO quotas (project_id, resource, hard_limit, created_at) VALUES ('projb', 'backups', 1000, 'now')"));
        Assert.Contains("permission denied", refused.Message);
        // Not even its own project's limits, nor the service registry (a faked live service would stall recovery).
        refused = Assert.Throws<InvalidOperationException>(() => _server.SqlAs(role, "alice-pw", _database,
            "INSERT INTO quotas (project_id, resource, hard_limit, created_at) VALUES ('proja', 'backups', -1, 'now')"));
        Assert.Contains("permission denied", refused.Message);
        refused = Assert.Throws<InvalidOperationException>(() => _server.SqlAs(role, "alice-pw", _database,
            "UPDATE services SET pid = 1"));
        Assert.Contains("permission denied", refused.Message);
        refused = Assert.Throws<InvalidOperationException>(() => _server.SqlAs(role, "alice-pw", _database,
            $"UPDATE backups SET project_id = 'projb' WHERE id = '{mine}'"));
        Assert.Contains("a project role cannot change which objects backup", refused.Message); // the server's trigger, before row-level security
        Assert.Throws<InvalidOperationException>(() => _server.SqlAs(role, "alice-pw", _database, "SELECT * FROM project_roles"));
        Assert.Equal(before, _server.Sql(_database, "SELECT id, status, deleted, project_id FROM backups ORDER BY id"));
    }

    [Fact]
    public void AProjectRolesStartUpLeavesAGoneOwnersFinishedBackupToTheServices()
    {
        // A service died right after a project's backup reached its commit point. The project's own tools (a project
        // role) start first: their recovery may not adopt it (the server refuses a project role's `available`), so it must
        // leave it as it is, open normally, and let an administrator's process (a service) adopt it.
        OnPostgres();
        string done;
        using (var svc = EngineFactory.Open(_home, "proja", "svc", admin: true))
        {
            svc.Volumes.Create("v", 1);
            done = svc.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "done" }).Id;
        }
        _server.Sql(_database, "UPDATE backups SET status = 'creating', operation = 'create', owner_host = 'gone-host', owner_pid = 4242, " +
            $"heartbeat_at = '2026-01-01T00:00:00.000000' WHERE id = '{done}'");
        var role = ProjectRole("proja");
        using (var alice = AsRole(role, "proja"))
        {
            Assert.Equal("creating", alice.Backups.Get(done).Status);
        }
        // Left as it was, its claim given up (no owner), for the next process that may decide.
        Assert.Equal("creating|create|", _server.Sql(_database, $"SELECT status || '|' || operation || '|' || COALESCE(owner_host, '') FROM backups WHERE id = '{done}'").Trim());
        UseOwner();
        using (var svc = EngineFactory.Open(_home, "proja", "svc", admin: true))
        {
            Assert.Equal("available", svc.Backups.Get(done).Status);
        }
    }

    [Fact]
    public void AProjectRolesRowsNeverChooseTheFilesOrObjectsAServiceActsOn()
    {
        OnPostgres();
        string victim, victimBackup;
        using (var admin = EngineFactory.Open(_home, "projb", "bob", admin: true))
        {
            victim = admin.Volumes.Create("bvol", 1).Id;
            victimBackup = admin.Backups.Create(new BackupCreateOptions { Volume = "bvol", Name = "bback" }).Id;
        }
        var role = ProjectRole("proja");
        // A file the services' account can read and the project role must never have backed up for it.
        var secret = Path.Combine(_home.Root, "service-secret");
        File.WriteAllText(secret, "repository keys");
        string own;
        using (var alice = AsRole(role, "proja"))
        {
            own = alice.Volumes.Create("avol", 1).Id; // made by the project's own tools: its pool image
        }
        UseOwner();
        var adminRows = _server.Sql(_database, "SELECT id, path, backend, host, shared, project_id FROM volumes ORDER BY id");

        // Which file a volume is, and whose it is, cannot be changed by the role: column privileges.
        foreach (var set in new[] { $"path = '{secret}'", "backend = 'path'", "host = 'other'", "shared = 1", "project_id = 'proja'", "recorded_by_admin = 1" })
        {
            var refused = Assert.Throws<InvalidOperationException>(() => _server.SqlAs(role, "alice-pw", _database, $"UPDATE volumes SET {set} WHERE id = '{own}'"));
            Assert.Contains("permission denied", refused.Message);
        }
        Assert.Equal(adminRows, _server.Sql(_database, "SELECT id, path, backend, host, shared, project_id FROM volumes ORDER BY id"));

        // A row it inserts itself, naming any file, is stamped by the server as the role's (even when it claims otherwise) ...
        string Insert(string id, string backend, string path) => _server.SqlAs(role, "alice-pw", _database,
            "INSERT INTO volumes (id, project_id, user_id, size, size_bytes, status, availability_zone, backend, path, created_at, recorded_by_admin) " +
            $"VALUES ('{id}', 'proja', 'alice', 1, 15, 'available', 'nova', '{backend}', '{path}', '2026-01-01T00:00:00.000000', 1)");
        var forged = Guid.NewGuid().ToString();
        var forgedPool = Guid.NewGuid().ToString();
        var victimPool = Guid.NewGuid().ToString();
        Insert(forged, "path", secret);
        Insert(forgedPool, "pool", secret);
        using (var owner = EngineFactory.Open(_home, "projb", "bob", admin: true))
        {
            Insert(victimPool, "pool", owner.Volumes.Get(victim).Path); // another project's image
        }
        foreach (var id in new[] { forged, forgedPool, victimPool, own })
        {
            Assert.Equal("0", _server.Sql(_database, $"SELECT recorded_by_admin FROM volumes WHERE id = '{id}'").Trim());
        }
        Assert.Equal("1", _server.Sql(_database, $"SELECT recorded_by_admin FROM volumes WHERE id = '{victim}'").Trim());
        var snapshot = Guid.NewGuid().ToString();
        _server.SqlAs(role, "alice-pw", _database,
            "INSERT INTO snapshots (id, volume_id, project_id, user_id, status, volume_size, size_bytes, path, created_at) " +
            $"VALUES ('{snapshot}', '{own}', 'proja', 'alice', 'available', 1, 15, '{secret}', '2026-01-01T00:00:00.000000')");

        // ... and an administrator's process (a backup service, as the catalog's owner) refuses to read or write its file.
        using (var service = EngineFactory.Open(_home, "proja", "svc"))
        {
            var source = service.Backups.Create(new BackupCreateOptions { Volume = own, Name = "fine" }).Id; // its own pool image: as before
            foreach (var id in new[] { forged, forgedPool, victimPool })
            {
                var e = Assert.Throws<CinderBackupException>(() => service.Backups.Create(new BackupCreateOptions { Volume = id }));
                Assert.Equal(ErrorIds.PolicyNotAuthorized, e.ErrorId);
                Assert.Contains("recorded by a project role", e.Message);
                e = Assert.Throws<CinderBackupException>(() => service.Backups.Restore(source, id));
                Assert.Equal(ErrorIds.PolicyNotAuthorized, e.ErrorId);
            }
            var s = Assert.Throws<CinderBackupException>(() => service.Backups.Create(new BackupCreateOptions { Volume = own, Snapshot = snapshot, Force = true }));
            Assert.Equal(ErrorIds.PolicyNotAuthorized, s.ErrorId);
            Assert.Equal(ErrorIds.PolicyNotAuthorized, Assert.Throws<CinderBackupException>(() => service.Volumes.Delete(forgedPool)).ErrorId);
            Assert.Equal(ErrorIds.PolicyNotAuthorized, Assert.Throws<CinderBackupException>(() => service.Snapshots.Delete(snapshot)).ErrorId);
        }
        Assert.True(File.Exists(secret));
        Assert.Equal("available", _server.Sql(_database, $"SELECT status FROM volumes WHERE id = '{forgedPool}'").Trim());
        var mine = _server.Sql(_database, "SELECT id FROM backups WHERE display_name = 'fine'").Trim();

        // Backup rows: a role records only requests of its own volumes, and never changes which objects a backup is.
        string[] refusedSql =
        {
            "INSERT INTO backups (id, user_id, project_id, volume_id, status, container, service_metadata, created_at) " +
                $"VALUES ('{Guid.NewGuid()}', 'alice', 'proja', '{own}', 'available', 'volumebackups', 'x', '2026-01-01T00:00:00.000000')",
            "INSERT INTO backups (id, user_id, project_id, volume_id, status, created_at) " +
                $"VALUES ('{Guid.NewGuid()}', 'alice', 'proja', '{victim}', 'creating', '2026-01-01T00:00:00.000000')",
            "INSERT INTO backups (id, user_id, project_id, volume_id, status, parent_id, created_at) " +
                $"VALUES ('{Guid.NewGuid()}', 'alice', 'proja', '{own}', 'creating', '{victimBackup}', '2026-01-01T00:00:00.000000')",
            $"UPDATE backups SET service_metadata = (SELECT service_metadata FROM backups WHERE id = '{mine}') || 'x' WHERE id = '{mine}'",
            $"UPDATE backups SET container = 'other' WHERE id = '{mine}'",
            $"UPDATE backups SET restore_volume_id = '{victim}' WHERE id = '{mine}'",
            $"UPDATE backups SET status = 'error' WHERE id = '{mine}'; UPDATE backups SET status = 'available' WHERE id = '{mine}'",
        };
        var backupRows = _server.Sql(_database, "SELECT * FROM backups ORDER BY id");
        foreach (var sql in refusedSql)
        {
            var refused = Assert.Throws<InvalidOperationException>(() => _server.SqlAs(role, "alice-pw", _database, sql));
            Assert.Contains("project role", refused.Message);
        }
        Assert.Equal(backupRows, _server.Sql(_database, "SELECT * FROM backups ORDER BY id"));
    }

    [Fact]
    public void CatalogRestoreNeverWritesTheGrantsOfTheRoles()
    {
        OnPostgres();
        var copies = Path.Combine(_home.Root, "copies");
        Directory.CreateDirectory(copies);
        string copy;
        using (var engine = EngineFactory.Open(_home, "proja", "amy", admin: true))
        {
            engine.Volumes.Create("avol", 1);
            copy = engine.CatalogFile.Backup(copies).Path;
        }
        var role = ProjectRole("proja");
        // A copy that would also grant the role project B (and take project A from it).
        var forged = Path.Combine(copies, "forged.db");
        File.Copy(copy, forged);
        RunPython("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE project_roles (role_name TEXT NOT NULL, project_id TEXT NOT NULL, PRIMARY KEY (role_name, project_id))'); " +
            "c.execute('INSERT INTO project_roles VALUES (?, ?)', (sys.argv[2], 'projb')); c.commit()", forged, role);
        var grants = _server.Sql(_database, "SELECT role_name, project_id FROM project_roles ORDER BY 1, 2");
        using (var engine = EngineFactory.Open(_home, "proja", "amy", admin: true))
        {
            var e = Assert.Throws<CinderBackupException>(() => engine.CatalogFile.Restore(forged));
            Assert.Equal(ErrorIds.CatalogBackupInvalid, e.ErrorId);
            Assert.Contains("project_roles", e.Message);
            Assert.Equal(grants, _server.Sql(_database, "SELECT role_name, project_id FROM project_roles ORDER BY 1, 2"));
            engine.CatalogFile.Restore(copy); // a copy as catalog backup makes it restores, and the grants stay
        }
        Assert.Equal(grants, _server.Sql(_database, "SELECT role_name, project_id FROM project_roles ORDER BY 1, 2"));
        Assert.Contains($"{role}|proja", grants);
    }

    [Fact]
    public void GrantsAreAppliedWhenTheGroupRolesComeAfterTheSchema()
    {
        OnPostgres();
        using (EngineFactory.Open(_home, "proja", "amy"))
        {
        }
        // As where the migrating role could not create the group roles (no CREATEROLE): the schema is there, no grants.
        _server.Sql(_database, $"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {PostgresSecurity.ProjectRole}, {PostgresSecurity.AdminRole}");
        var role = ProjectRole("proja");
        Assert.Throws<CinderBackupException>(() => AsRole(role, "proja").Dispose());
        // The owner's next open applies what is missing; the role then works.
        UseOwner();
        using (EngineFactory.Open(_home, "proja", "amy"))
        {
        }
        using (var alice = AsRole(role, "proja"))
        {
            Assert.Equal("avol", alice.Volumes.Create("avol", 1).Name);
        }
    }

    private static void RunPython(string code, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(code);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err);
    }

    /// <summary>A login role granted <paramref name="project"/> only, provisioned as the README says (password alice-pw).</summary>
    private string ProjectRole(string project)
    {
        var role = "alice_" + Guid.NewGuid().ToString("N")[..8];
        _server.Sql(_database, $"CREATE ROLE {role} LOGIN PASSWORD 'alice-pw' IN ROLE {PostgresSecurity.ProjectRole}; " +
            $"INSERT INTO project_roles (role_name, project_id) VALUES ('{role}', '{project}')");
        return role;
    }

    private BackupEngine AsRole(string role, string project)
    {
        _home.WriteConfig($"database:\n  connection: {_server.Url(_database, role)}\n").Set("PGPASSWORD", "alice-pw");
        return EngineFactory.Open(_home, project, "alice");
    }

    private void UseOwner() => OnPostgres();

    private static void NotFound(Action act)
    {
        var e = Assert.Throws<CinderBackupException>(act);
        Assert.True(e.ErrorId == ErrorIds.BackupNotFound, $"{e.ErrorId}: {e.Message}");
    }

    [Fact]
    public void StatementsAreMappedOutsideQuotes()
    {
        Assert.Equal("SELECT \"binary\", host FROM services WHERE id = @id AND x = '$id' -- $c\n AND \"$y\" = @y_2",
            PostgresDialect.Map("SELECT binary, host FROM services WHERE id = $id AND x = '$id' -- $c\n AND \"$y\" = $y_2"));
        Assert.Equal("id", PostgresDialect.Instance.ParameterName("$id"));
        Assert.Contains("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", PostgresDialect.Instance.Migration("id INTEGER PRIMARY KEY AUTOINCREMENT,"));
        Assert.Equal("volume_id TEXT NOT NULL REFERENCES volumes (id) DEFERRABLE, n BIGINT, r DOUBLE PRECISION",
            PostgresDialect.Instance.Migration("volume_id TEXT NOT NULL REFERENCES volumes (id), n INTEGER, r REAL"));
    }
}
