using System.Data;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;
using Npgsql;

namespace CinderBackup.Engine.Catalog;

/// <summary>
/// The catalog in a PostgreSQL database (<c>database: connection</c>), shared by every host. The same logical schema
/// and migration steps as SQLite (<see cref="Migrations"/> through <see cref="PostgresDialect.Migration"/>), run once
/// under an advisory lock when several hosts start together. Writes queue on one transaction-scoped advisory lock,
/// as SQLite's <c>BEGIN IMMEDIATE</c> makes them queue, so every read-then-write of the engine stays atomic across
/// hosts; reads run in REPEATABLE READ (one snapshot) and never wait. Catalog copies are SQLite catalog files (a
/// logical copy, the same format as the SQLite engine's), so a copy restores on either engine.
/// </summary>
internal sealed class PostgresCatalog : ICatalog
{
    // Advisory lock keys ('CBKW', 'CBKM'): the catalog's writers, and its migration.
    private const long WriterLock = 0x43424B57;
    private const long MigrationLock = 0x43424B4D;

    private readonly NpgsqlConnection _connection;
    private readonly Db _db;
    private readonly int _busyTimeoutSeconds;

    private PostgresCatalog(string display, NpgsqlConnection connection, int busyTimeoutSeconds)
    {
        Path = display;
        _connection = connection;
        _db = new Db(connection, PostgresDialect.Instance);
        _busyTimeoutSeconds = busyTimeoutSeconds;
    }

    public string Path { get; }

    public bool ReadOnly { get; private set; }

    public CatalogRole? Role { get; private set; }

    public int SchemaVersion => Guard(() => _db.Dialect.SchemaVersion(_db));

    public static PostgresCatalog Open(DatabaseConnection connection, Func<string, string?> env, int busyTimeoutSeconds)
    {
        var builder = ConnectionString(connection, env, busyTimeoutSeconds);
        var catalog = new PostgresCatalog(connection.Display, new NpgsqlConnection(builder.ConnectionString), busyTimeoutSeconds);
        try
        {
            catalog.Guard(() =>
            {
                catalog._connection.Open();
                // A standby, or a database whose transactions are read-only by default, is read, never written.
                catalog.ReadOnly = catalog._db.Scalar("SELECT pg_is_in_recovery() OR current_setting('default_transaction_read_only') = 'on'") is true;
                catalog.Migrate();
                catalog.Role = PostgresSecurity.Role(catalog._db);
            });
        }
        catch
        {
            catalog.Dispose();
            throw;
        }
        return catalog;
    }

    /// <summary>
    /// The Npgsql connection string: the URL's parts, the user (the URL's, else PGUSER, else the login name), and the
    /// password from the URL, else PGPASSWORD, else the password file (PGPASSFILE or ~/.pgpass, which must be 0600, as
    /// libpq requires).
    /// </summary>
    internal static NpgsqlConnectionStringBuilder ConnectionString(DatabaseConnection c, Func<string, string?> env, int busyTimeoutSeconds)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = c.Host,
            Port = c.Port,
            Database = c.Database,
            Username = c.User ?? env("PGUSER") ?? env("USER") ?? Environment.UserName,
            ApplicationName = "cinderbackup",
            Pooling = false,
            Timeout = Math.Clamp(busyTimeoutSeconds, 1, 1024),
            CommandTimeout = 0,
            // The engine's own names for its parameters ($name → @name) are the only rewriting it needs.
            IncludeErrorDetail = false,
        };
        if (c.SslMode is string ssl)
        {
            builder.SslMode = ssl switch
            {
                "disable" => SslMode.Disable,
                "allow" => SslMode.Allow,
                "prefer" => SslMode.Prefer,
                "require" => SslMode.Require,
                "verify-ca" => SslMode.VerifyCA,
                _ => SslMode.VerifyFull,
            };
        }
        var password = c.Password ?? env("PGPASSWORD");
        if (!string.IsNullOrEmpty(password))
        {
            builder.Password = password;
            return builder;
        }
        var passFile = env("PGPASSFILE") ?? (env("HOME") is string home ? System.IO.Path.Combine(home, ".pgpass") : null);
        if (passFile is not null && File.Exists(passFile))
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(passFile) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                    | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
            {
                throw new CinderBackupException(ErrorIds.ConfigInsecure, ErrorKind.Configuration,
                    $"The password file '{passFile}' may be read by other users: make it private with 'chmod 600 {passFile}'.", passFile);
            }
            builder.Passfile = passFile;
        }
        return builder;
    }

    public T Read<T>(Func<Db, T> body) => Guard(() => InTransaction(IsolationLevel.RepeatableRead, null, body));

    public T Write<T>(Func<Db, T> body)
    {
        if (ReadOnly)
        {
            throw ReadOnlyError();
        }
        return Guard(() => InTransaction(IsolationLevel.ReadCommitted, WriterLock, body));
    }

    public void Write(Action<Db> body) => Write<object?>(db => { body(db); return null; });

    /// <summary>Runs <paramref name="body"/> in a transaction that commits when it returns, after taking <paramref name="advisoryLock"/>.</summary>
    private T InTransaction<T>(IsolationLevel isolation, long? advisoryLock, Func<Db, T> body)
    {
        using var tx = _connection.BeginTransaction(isolation);
        _db.Transaction = tx;
        try
        {
            if (advisoryLock is long key)
            {
                // Waiting for another writer ends after catalog_busy_timeout, as SQLite's busy timeout does.
                _db.Execute($"SET LOCAL lock_timeout = '{_busyTimeoutSeconds}s'");
                _db.Execute("SELECT pg_advisory_xact_lock($key)", ("$key", key));
                _db.Execute("SET LOCAL lock_timeout = 0");
            }
            var result = body(_db);
            tx.Commit();
            return result;
        }
        catch
        {
            try
            {
                tx.Rollback();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // The connection is gone; the original error is what the caller needs.
            }
            throw;
        }
        finally
        {
            _db.Transaction = null;
        }
    }

    /// <summary>
    /// A logical copy of the whole catalog, in one snapshot, into a new SQLite catalog file at
    /// <paramref name="destinationPath"/> (the same format the SQLite engine's copies have).
    /// </summary>
    public void BackupTo(string destinationPath)
    {
        using var copy = CatalogDatabase.Open(destinationPath, _busyTimeoutSeconds);
        var tables = copy.Read(CatalogDatabase.TableNames);
        Read(pg =>
        {
            copy.Write(s =>
            {
                CatalogDatabase.DeferForeignKeys(s); // tables go in name order, children before parents
                foreach (var table in tables)
                {
                    using var cmd = pg.Command($"SELECT * FROM {Quote(table)}");
                    using var reader = cmd.ExecuteReader();
                    var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
                    var insert = $"INSERT OR REPLACE INTO {Quote(table)} ({string.Join(", ", columns.Select(Quote))}) " +
                                 $"VALUES ({string.Join(", ", columns.Select((_, i) => "$c" + i))})";
                    while (reader.Read())
                    {
                        s.Execute(insert, columns.Select((_, i) => ("$c" + i, reader.IsDBNull(i) ? null : reader.GetValue(i))).ToArray());
                    }
                    Util.FaultPoints.Hit("catalog.backup.table"); // the copy's transaction is open: a kill here leaves a half file
                }
            });
            return 0;
        });
    }

    /// <summary>
    /// Replaces every row with those of the SQLite catalog copy at <paramref name="sourcePath"/> in one write transaction
    /// (foreign keys checked at its commit), carrying the operations running now forward as <see cref="CatalogSwap"/>
    /// does for SQLite.
    /// </summary>
    public IReadOnlyList<string> RestoreFrom(string sourcePath, Action? beforeCommit = null)
    {
        using var source = CatalogDatabase.Open(sourcePath, _busyTimeoutSeconds);
        var theirs = source.SchemaVersion;
        if (theirs != Migrations.Latest)
        {
            throw new CinderBackupException(ErrorIds.CatalogBackupInvalid, ErrorKind.InvalidData,
                $"The catalog copy '{sourcePath}' has schema version {theirs}, not {Migrations.Latest}. Nothing was changed.", sourcePath);
        }
        var tables = source.Read(CatalogDatabase.TableNames);
        // Only the catalog's data is restored: who may see which project is the server's (project_roles, the roles,
        // the policies), never a file's, so a copy that would carry grants is refused whole.
        if (tables.Intersect(PostgresSecurity.OwnTables).FirstOrDefault() is string grants)
        {
            throw new CinderBackupException(ErrorIds.CatalogBackupInvalid, ErrorKind.InvalidData,
                $"The catalog copy '{sourcePath}' holds the table {grants}: a catalog restore never writes the grants of the PostgreSQL roles (a copy made by catalog backup has no such table). Nothing was changed.", sourcePath);
        }
        return Write(pg =>
        {
            pg.Execute("SET CONSTRAINTS ALL DEFERRED");
            pg.Execute("""
                CREATE TEMP TABLE carry_backups ON COMMIT DROP AS SELECT * FROM backups WHERE deleted = 0 AND operation IS NOT NULL;
                CREATE TEMP TABLE carry_backup_metadata ON COMMIT DROP AS SELECT * FROM backup_metadata WHERE backup_id IN (SELECT id FROM carry_backups);
                CREATE TEMP TABLE carry_volumes ON COMMIT DROP AS SELECT * FROM volumes WHERE id IN (
                    SELECT volume_id FROM carry_backups WHERE operation = 'create'
                    UNION SELECT restore_volume_id FROM carry_backups WHERE operation = 'restore');
                CREATE TEMP TABLE carry_volume_metadata ON COMMIT DROP AS SELECT * FROM volume_metadata WHERE volume_id IN (SELECT id FROM carry_volumes);
                CREATE TEMP TABLE carry_volume_glance_metadata ON COMMIT DROP AS SELECT * FROM volume_glance_metadata WHERE volume_id IN (SELECT id FROM carry_volumes);
                CREATE TEMP TABLE carry_volume_attachment ON COMMIT DROP AS SELECT * FROM volume_attachment WHERE volume_id IN (SELECT id FROM carry_volumes);
                CREATE TEMP TABLE carry_snapshots ON COMMIT DROP AS SELECT * FROM snapshots WHERE id IN (
                    SELECT snapshot_id FROM carry_backups WHERE operation = 'create'
                    UNION SELECT temp_snapshot_id FROM carry_backups WHERE operation = 'create');
                """);
            foreach (var table in tables)
            {
                var ours = pg.Query("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $t ORDER BY ordinal_position",
                    r => r.GetString(0), ("$t", table));
                var theirColumns = source.Read(s => CatalogDatabase.ColumnNames(s, table));
                var missing = ours.Except(theirColumns).ToList();
                if (ours.Count == 0 || missing.Count > 0)
                {
                    throw new CinderBackupException(ErrorIds.CatalogBackupInvalid, ErrorKind.InvalidData,
                        $"The catalog copy '{sourcePath}' does not match this catalog's table {table} ({(ours.Count == 0 ? "no such table here" : "it lacks " + string.Join(", ", missing))}). Nothing was changed.", sourcePath);
                }
                var list = string.Join(", ", ours.Select(Quote));
                pg.Execute($"DELETE FROM {Quote(table)}");
                var insert = $"INSERT INTO {Quote(table)} ({list}) VALUES ({string.Join(", ", ours.Select((_, i) => "$c" + i))})";
                source.Read(s =>
                {
                    using var cmd = s.Command($"SELECT {list} FROM {Quote(table)}");
                    using var reader = cmd.ExecuteReader();
                    while (reader.Read())
                    {
                        pg.Execute(insert, ours.Select((_, i) => ("$c" + i, reader.IsDBNull(i) ? null : reader.GetValue(i))).ToArray());
                    }
                    return 0;
                });
            }
            // Identity columns go on after the highest id the copy holds.
            foreach (var table in new[] { "reservations", "services" })
            {
                pg.Execute($"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)");
            }
            pg.Execute("""
                -- Finished backups (being restored or deleted) that the copy does not count among their parent's dependents.
                CREATE TEMP TABLE carry_dependents ON COMMIT DROP AS SELECT parent_id FROM carry_backups c
                    WHERE parent_id IS NOT NULL AND status IN ('restoring', 'deleting')
                    AND NOT EXISTS (SELECT 1 FROM backups r WHERE r.id = c.id AND r.deleted = 0 AND r.status IN ('available', 'restoring', 'deleting'));
                DELETE FROM volumes WHERE id IN (SELECT id FROM carry_volumes);
                INSERT INTO volumes SELECT * FROM carry_volumes;
                DELETE FROM volume_metadata WHERE volume_id IN (SELECT id FROM carry_volumes);
                INSERT INTO volume_metadata SELECT * FROM carry_volume_metadata;
                DELETE FROM volume_glance_metadata WHERE volume_id IN (SELECT id FROM carry_volumes);
                INSERT INTO volume_glance_metadata SELECT * FROM carry_volume_glance_metadata;
                DELETE FROM volume_attachment WHERE volume_id IN (SELECT id FROM carry_volumes) OR id IN (SELECT id FROM carry_volume_attachment);
                INSERT INTO volume_attachment SELECT * FROM carry_volume_attachment;
                DELETE FROM snapshots WHERE id IN (SELECT id FROM carry_snapshots);
                INSERT INTO snapshots SELECT * FROM carry_snapshots;
                DELETE FROM backups WHERE id IN (SELECT id FROM carry_backups);
                INSERT INTO backups SELECT * FROM carry_backups;
                DELETE FROM backup_metadata WHERE backup_id IN (SELECT id FROM carry_backups);
                INSERT INTO backup_metadata SELECT * FROM carry_backup_metadata;
                UPDATE backups SET num_dependent_backups = num_dependent_backups + (SELECT COUNT(*) FROM carry_dependents d WHERE d.parent_id = backups.id)
                    WHERE id IN (SELECT parent_id FROM carry_dependents);
                """);
            var carried = pg.Query("SELECT id FROM carry_backups ORDER BY id", r => r.GetString(0));
            beforeCommit?.Invoke();
            return (IReadOnlyList<string>)carried;
        });
    }

    public void Dispose()
    {
        try
        {
            _connection.Dispose();
        }
        catch (NpgsqlException)
        {
        }
    }

    private void Migrate()
    {
        var version = _db.Dialect.SchemaVersion(_db);
        if (version == Migrations.Latest && (PostgresSecurity.IsApplied(_db) || !PostgresSecurity.IsOwner(_db)))
        {
            // Up to date; or only the security is behind (e.g. the group roles were made after the schema), which only
            // the owner may apply, at its next open: anyone else works with what the server grants it now.
            return;
        }
        if (version > Migrations.Latest)
        {
            throw TooNew(version);
        }
        if (ReadOnly)
        {
            throw ReadOnlyError(version == Migrations.Latest ? "its row-level security is not set up"
                : $"it needs upgrading from schema {version} to {Migrations.Latest}");
        }
        // Hosts starting together: the first to take the lock migrates, the others then find the work done.
        InTransaction(IsolationLevel.ReadCommitted, MigrationLock, db =>
        {
            version = db.Dialect.SchemaVersion(db);
            if (version > Migrations.Latest)
            {
                throw TooNew(version);
            }
            if (version == 0)
            {
                var tables = db.Query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename LIMIT 5", r => r.GetString(0));
                if (tables.Count > 0)
                {
                    throw new CinderBackupException(ErrorIds.CatalogCorrupt, ErrorKind.InvalidData,
                        $"The database '{Path}' is not a CinderBackup catalog (it has tables {string.Join(", ", tables)}); give CinderBackup an empty database of its own.", Path);
                }
            }
            else if ((string?)db.Scalar("SELECT value FROM catalog_info WHERE key = 'application'") != "cinderbackup")
            {
                throw new CinderBackupException(ErrorIds.CatalogCorrupt, ErrorKind.InvalidData, $"The database '{Path}' is not a CinderBackup catalog.", Path);
            }
            for (var i = version; i < Migrations.Latest; i++)
            {
                db.Execute(db.Dialect.Migration(Migrations.All[i]));
                db.Dialect.SetSchemaVersion(db, i + 1);
            }
            if (!PostgresSecurity.IsApplied(db))
            {
                PostgresSecurity.Apply(db);
            }
            return 0;
        });
    }

    private CinderBackupException TooNew(int version) =>
        new(ErrorIds.CatalogTooNew, ErrorKind.NotSupported,
            $"The catalog '{Path}' has schema version {version}, newer than this CinderBackup understands ({Migrations.Latest}). Upgrade CinderBackup.", Path);

    private CinderBackupException ReadOnlyError(string? why = null, Exception? inner = null) =>
        new(ErrorIds.CatalogReadOnly, ErrorKind.PermissionDenied,
            $"The catalog '{Path}' is read-only{(why is null ? "" : $" and {why}")}; nothing was changed.", Path, inner);

    private T Guard<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (PostgresException e)
        {
            throw Translate(e);
        }
        catch (NpgsqlException e) when (e.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            throw new CinderBackupException(ErrorIds.CatalogUnavailable, ErrorKind.PermissionDenied,
                $"The catalog '{Path}' asks for a password and none was given: give it in PGPASSWORD or ~/.pgpass (mode 0600).", Path, e);
        }
        catch (NpgsqlException e)
        {
            throw new CinderBackupException(ErrorIds.CatalogUnavailable, ErrorKind.IOError,
                $"The catalog '{Path}' cannot be reached: {e.Message}", Path, e);
        }
    }

    private void Guard(Action body) => Guard<object?>(() => { body(); return null; });

    /// <summary>PostgreSQL's SQLSTATE codes: https://www.postgresql.org/docs/15/errcodes-appendix.html</summary>
    private CinderBackupException Translate(PostgresException e) => e.SqlState switch
    {
        "55P03" => new CinderBackupException(ErrorIds.CatalogLocked, ErrorKind.Busy,
            $"The catalog '{Path}' is locked by another process; gave up after waiting {_busyTimeoutSeconds} s.", Path, e),
        "40001" or "40P01" => new CinderBackupException(ErrorIds.CatalogLocked, ErrorKind.Busy,
            $"The catalog '{Path}' is busy ({e.MessageText}); nothing was changed, try again.", Path, e),
        "25006" => ReadOnlyError(null, e),
        "42501" => new CinderBackupException(ErrorIds.PolicyNotAuthorized, ErrorKind.PermissionDenied,
            $"The catalog's database server refuses this to role '{Role?.Name}': {e.MessageText}. Nothing was changed.", Path, e),
        "28P01" or "28000" => new CinderBackupException(ErrorIds.CatalogUnavailable, ErrorKind.PermissionDenied,
            $"The catalog '{Path}' refused the login ({e.MessageText}): give the password in PGPASSWORD or ~/.pgpass (mode 0600).", Path, e),
        "3D000" => new CinderBackupException(ErrorIds.CatalogUnavailable, ErrorKind.NotFound,
            $"The catalog '{Path}' cannot be opened: {e.MessageText}; create it first (createdb).", Path, e),
        "53100" => Util.DiskSpace.MarkNoSpace(new CinderBackupException(ErrorIds.CatalogUnavailable, ErrorKind.IOError,
            $"The catalog '{Path}' cannot grow: the database server's disk is full; the catalog was not changed.", Path, e)),
        _ => new CinderBackupException(ErrorIds.CatalogUnavailable, ErrorKind.IOError,
            $"Catalog '{Path}' error: {e.MessageText}", Path, e),
    };

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
