using CinderBackup.Engine.Errors;
using Microsoft.Data.Sqlite;

namespace CinderBackup.Engine.Catalog;

/// <summary>
/// The catalog: one SQLite file (mode 0600, WAL, busy timeout) shared safely by many processes. Every
/// write runs in a <c>BEGIN IMMEDIATE</c> transaction so concurrent writers queue instead of deadlocking.
/// </summary>
internal sealed class CatalogDatabase : ICatalog
{
    private static readonly object InitLock = new();
    private static bool _initialized;

    private readonly SqliteConnection _connection;
    private readonly Db _db;

    private CatalogDatabase(string path, SqliteConnection connection, bool readOnly)
    {
        Path = path;
        _connection = connection;
        _db = new Db(connection, SqliteDialect.Instance);
        ReadOnly = readOnly;
    }

    public string Path { get; }

    public bool ReadOnly { get; }

    public CatalogRole? Role => null;

    public static CatalogDatabase Open(string path, int busyTimeoutSeconds)
    {
        EnsureSqlite();
        path = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(path)!;
        try
        {
            if (!Directory.Exists(dir))
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(dir);
                }
                else
                {
                    Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }
            if (!File.Exists(path))
            {
                CreateEmptyFile(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CinderBackupException(ErrorIds.CatalogUnavailable, ErrorKind.IOError,
                $"Cannot create the catalog '{path}': {e.Message}", path, e);
        }
        if (Directory.Exists(path))
        {
            throw new CinderBackupException(ErrorIds.CatalogUnavailable, ErrorKind.IOError,
                $"The catalog path '{path}' is a directory, not a file.", path);
        }

        var readOnly = IsWriteProtected(path);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            DefaultTimeout = busyTimeoutSeconds,
        };
        var connection = new SqliteConnection(builder.ToString());
        var catalog = new CatalogDatabase(path, connection, readOnly);
        try
        {
            catalog.Guard(() =>
            {
                connection.Open();
                catalog._db.Execute($"PRAGMA busy_timeout = {busyTimeoutSeconds * 1000};");
                catalog._db.Execute("PRAGMA foreign_keys = ON;");
                if (!readOnly)
                {
                    // journal_mode is persistent; setting it needs the write lock only when it changes.
                    var mode = (string?)catalog._db.Scalar("PRAGMA journal_mode;");
                    if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                    {
                        catalog._db.Scalar("PRAGMA journal_mode = WAL;");
                    }
                    catalog._db.Execute("PRAGMA synchronous = FULL;");
                }
                catalog.Migrate();
            });
        }
        catch
        {
            catalog.Dispose();
            throw;
        }
        return catalog;
    }

    /// <summary>Runs <paramref name="body"/> in an immediate (write-locking) transaction.</summary>
    public T Write<T>(Func<Db, T> body)
    {
        if (ReadOnly)
        {
            throw ReadOnlyError(null);
        }
        return Guard(() => InTransaction(deferred: false, db =>
        {
            var result = body(db);
            db.Transaction!.Commit();
            return result;
        }));
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a transaction and always ends it. SQLite ends a transaction by itself after some
    /// failures (a full disk, an I/O error); Microsoft.Data.Sqlite would then fail its own ROLLBACK, report that instead
    /// of the real error, and keep the dead transaction on the connection (every later transaction on it would fail
    /// as "nested"). So the real error is kept and the connection's transaction is ended in every case.
    /// </summary>
    private T InTransaction<T>(bool deferred, Func<Db, T> body)
    {
        var tx = _connection.BeginTransaction(deferred);
        _db.Transaction = tx;
        try
        {
            return body(_db);
        }
        catch
        {
            EndAfterFailure(tx);
            throw;
        }
        finally
        {
            _db.Transaction = null;
            try
            {
                tx.Dispose(); // after a commit or an ended rollback, a no-op
            }
            catch (SqliteException)
            {
            }
        }
    }

    private void EndAfterFailure(SqliteTransaction tx)
    {
        try
        {
            if (_connection.Handle is { } handle && SQLitePCL.raw.sqlite3_get_autocommit(handle) != 0)
            {
                // SQLite already rolled back: open an empty transaction so the ROLLBACK below has one to end.
                SQLitePCL.raw.sqlite3_exec(handle, "BEGIN");
            }
            tx.Rollback();
        }
        catch (SqliteException)
        {
            // The connection is past saving; the original error is what the caller needs.
        }
        catch (InvalidOperationException)
        {
            // Already completed.
        }
    }

    public void Write(Action<Db> body) => Write<object?>(db => { body(db); return null; });

    /// <summary>Runs <paramref name="body"/> in a read transaction (one consistent snapshot).</summary>
    public T Read<T>(Func<Db, T> body) => Guard(() => InTransaction(deferred: true, body));

    public int SchemaVersion => Guard(() => _db.Dialect.SchemaVersion(_db));

    /// <summary>Online-consistent copy of the whole catalog (SQLite backup API).</summary>
    public void BackupTo(string destinationPath)
    {
        Guard(() =>
        {
            var builder = new SqliteConnectionStringBuilder { DataSource = destinationPath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
            using var dest = new SqliteConnection(builder.ToString());
            dest.Open();
            _connection.BackupDatabase(dest);
            return 0;
        });
    }

    /// <summary>
    /// Replaces the whole catalog with the database at <paramref name="sourcePath"/> (a checked copy of the same schema)
    /// in one write transaction, so other processes see the old catalog or the new one; the operations running at that
    /// moment are carried forward (<see cref="CatalogSwap"/>). <paramref name="beforeCommit"/> runs last inside the
    /// transaction. Returns the ids of the backups carried forward.
    /// </summary>
    public IReadOnlyList<string> RestoreFrom(string sourcePath, Action? beforeCommit = null)
    {
        if (ReadOnly)
        {
            throw ReadOnlyError(null);
        }
        return Guard(() =>
        {
            _db.Execute("ATTACH DATABASE $path AS restored;", ("$path", sourcePath));
            try
            {
                var theirs = _db.ScalarLong("PRAGMA restored.user_version;");
                if (theirs != Migrations.Latest)
                {
                    throw new CinderBackupException(ErrorIds.CatalogBackupInvalid, ErrorKind.InvalidData,
                        $"The catalog copy '{sourcePath}' has schema version {theirs}, not {Migrations.Latest}. Nothing was changed.", sourcePath);
                }
                using var tx = _connection.BeginTransaction(deferred: false);
                _db.Transaction = tx;
                try
                {
                    var carried = CatalogSwap.Replace(_db);
                    beforeCommit?.Invoke();
                    tx.Commit();
                    return carried;
                }
                finally
                {
                    _db.Transaction = null;
                }
            }
            finally
            {
                _db.Execute("DETACH DATABASE restored;");
            }
        });
    }

    /// <summary>The catalog's tables (for logical copies to and from another engine).</summary>
    public static List<string> TableNames(Db db) =>
        db.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name", r => r.GetString(0));

    /// <summary>Foreign keys checked at the commit of this transaction, not at each statement.</summary>
    public static void DeferForeignKeys(Db db) => db.Execute("PRAGMA defer_foreign_keys = ON;");

    /// <summary>The columns of <paramref name="table"/>, in order.</summary>
    public static List<string> ColumnNames(Db db, string table) =>
        db.Query("SELECT name FROM pragma_table_info($t) ORDER BY cid", r => r.GetString(0), ("$t", table));

    /// <summary>Runs SQLite's integrity check; null when the database is sound, else the first problem it reports.</summary>
    public string? IntegrityProblem() => Guard(() =>
    {
        var result = _db.Query("PRAGMA integrity_check(5);", r => r.GetString(0));
        return result.Count == 1 && result[0] == "ok" ? null : string.Join("; ", result);
    });

    /// <summary>Switches the journal to rollback mode, so the file can be opened read-only without WAL side files.</summary>
    public void UseRollbackJournal() => Guard(() => _db.Scalar("PRAGMA journal_mode = DELETE;"));

    public void Dispose()
    {
        try
        {
            _connection.Dispose();
        }
        catch (SqliteException)
        {
            // Closing rolls back whatever is open; a failure to do so (the disk is full) must not hide the caller's own error.
        }
    }

    private void Migrate()
    {
        // The version and the tables from one snapshot: another process creating this catalog commits its first
        // migration between two separate reads, and the version 0 read before it with the tables read after it looked
        // like someone else's database (seen with seven processes starting on a new catalog at once).
        var version = InTransaction(deferred: true, db =>
        {
            var v = db.Dialect.SchemaVersion(db);
            if (v > Migrations.Latest)
            {
                throw new CinderBackupException(ErrorIds.CatalogTooNew, ErrorKind.NotSupported,
                    $"The catalog '{Path}' has schema version {v}, newer than this CinderBackup understands ({Migrations.Latest}). Upgrade CinderBackup.", Path);
            }
            if (v == 0)
            {
                // An empty file is ours to initialise; a database with someone else's tables is not.
                var tables = db.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%';", r => r.GetString(0));
                if (tables.Count > 0)
                {
                    throw new CinderBackupException(ErrorIds.CatalogCorrupt, ErrorKind.InvalidData,
                        $"The file '{Path}' is an SQLite database but not a CinderBackup catalog (it has tables {string.Join(", ", tables.Take(5))}).", Path);
                }
            }
            else if ((string?)db.Scalar("SELECT value FROM catalog_info WHERE key = 'application';") != "cinderbackup")
            {
                throw new CinderBackupException(ErrorIds.CatalogCorrupt, ErrorKind.InvalidData,
                    $"The file '{Path}' is not a CinderBackup catalog.", Path);
            }
            return v;
        });
        if (version == Migrations.Latest)
        {
            return;
        }
        if (ReadOnly)
        {
            throw ReadOnlyError($"it needs upgrading from schema {version} to {Migrations.Latest}");
        }

        // Another process may be migrating at the same moment: take the write lock, then re-read the version.
        using var tx = _connection.BeginTransaction(deferred: false);
        _db.Transaction = tx;
        try
        {
            version = _db.Dialect.SchemaVersion(_db);
            for (var i = version; i < Migrations.Latest; i++)
            {
                _db.Execute(_db.Dialect.Migration(Migrations.All[i]));
                _db.Dialect.SetSchemaVersion(_db, i + 1);
            }
            tx.Commit();
        }
        finally
        {
            _db.Transaction = null;
        }
    }

    private T Guard<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (SqliteException e)
        {
            throw Translate(e);
        }
    }

    private void Guard(Action body) => Guard<object?>(() => { body(); return null; });

    private CinderBackupException Translate(SqliteException e)
    {
        if (IsNoSpace(e))
        {
            var directory = System.IO.Path.GetDirectoryName(Path)!;
            return Util.DiskSpace.MarkNoSpace(new CinderBackupException(ErrorIds.CatalogUnavailable, ErrorKind.IOError,
                $"{Util.DiskSpace.Explain(directory)}: the catalog '{Path}' cannot be opened or written there. Free some space in '{directory}' and try again; the catalog was not changed.",
                Path, e));
        }
        // Primary result codes: https://sqlite.org/rescode.html
        switch (e.SqliteErrorCode & 0xff)
        {
            case 5: // SQLITE_BUSY
            case 6: // SQLITE_LOCKED
                return new CinderBackupException(ErrorIds.CatalogLocked, ErrorKind.Busy,
                    $"The catalog '{Path}' is locked by another process; gave up after waiting {_connection.DefaultTimeout} s.", Path, e);
            case 8: // SQLITE_READONLY
                return ReadOnlyError(null, e);
            case 11: // SQLITE_CORRUPT
            case 26: // SQLITE_NOTADB
                return new CinderBackupException(ErrorIds.CatalogCorrupt, ErrorKind.InvalidData,
                    $"The catalog '{Path}' is corrupt or not an SQLite database ({e.Message.TrimEnd('.')}). Restore it from a catalog backup, or move it away and rebuild the records with discovery.", Path, e);
            case 13: // SQLITE_FULL
                return new CinderBackupException(ErrorIds.CatalogUnavailable, ErrorKind.IOError,
                    $"The catalog '{Path}' cannot grow: the disk is full.", Path, e);
            case 14: // SQLITE_CANTOPEN
            case 3:  // SQLITE_PERM
            case 23: // SQLITE_AUTH
                return new CinderBackupException(ErrorIds.CatalogUnavailable, ErrorKind.IOError,
                    $"The catalog '{Path}' cannot be opened: {e.Message}", Path, e);
            default:
                return new CinderBackupException(ErrorIds.CatalogUnavailable, ErrorKind.IOError,
                    $"Catalog '{Path}' error: {e.Message}", Path, e);
        }
    }

    /// <summary>
    /// SQLITE_FULL, or an I/O error or a side file (-wal, -shm) that cannot be opened while the file system holding the
    /// catalog is (nearly) full: SQLite reports running out of space while it maps or grows its side files as a "disk
    /// I/O error", without the errno.
    /// </summary>
    private bool IsNoSpace(SqliteException e) => (e.SqliteErrorCode & 0xff) switch
    {
        13 => true,
        10 or 14 => Util.DiskSpace.IsFull(System.IO.Path.GetDirectoryName(Path)!),
        _ => false,
    };

    private CinderBackupException ReadOnlyError(string? why, Exception? inner = null) =>
        new(ErrorIds.CatalogReadOnly, ErrorKind.PermissionDenied,
            $"The catalog '{Path}' is read-only{(why is null ? "" : $" and {why}")}; nothing was changed.", Path, inner);

    private static void CreateEmptyFile(string path)
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using var _ = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first.
        }
    }

    /// <summary>
    /// A catalog whose owner-write bit is off, or on a read-only file system, is opened read-only. The mode
    /// bit is checked explicitly because root would otherwise write through it.
    /// </summary>
    private static bool IsWriteProtected(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return (File.GetAttributes(path) & FileAttributes.ReadOnly) != 0;
        }
        if ((File.GetUnixFileMode(path) & UnixFileMode.UserWrite) == 0)
        {
            return true;
        }
        return Native.LibC.IsOnReadOnlyFileSystem(path);
    }

    private static void EnsureSqlite()
    {
        lock (InitLock)
        {
            if (!_initialized)
            {
                SQLitePCL.Batteries_V2.Init();
                _initialized = true;
            }
        }
    }
}
