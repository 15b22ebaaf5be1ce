using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Operations;
using CinderBackup.Engine.Rules;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Api;

/// <summary>
/// Backup and restore of the catalog itself (the seeds advise backing up the Block Storage database regularly).
/// Copies are online-consistent (SQLite backup API): other processes may keep working while one is taken. Admin only,
/// since the catalog holds every project's records.
/// </summary>
public sealed class CatalogApi
{
    private readonly BackupEngine _engine;

    internal CatalogApi(BackupEngine engine) => _engine = engine;

    /// <summary>
    /// Writes a consistent copy of the catalog to <paramref name="path"/> (an existing directory gets
    /// <c>cinderbackup-catalog-&lt;UTC time&gt;.db</c>), mode 0600, through a temporary file renamed into place. An
    /// existing file is replaced only with <paramref name="overwrite"/>. The copy is checked before it is reported.
    /// </summary>
    public CatalogCopy Backup(string path, bool overwrite = false)
    {
        Policy.RequireAdmin(_engine.Context, "catalog backup");
        var now = Clock.UtcNow;
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            full = Path.Combine(full, $"cinderbackup-catalog-{now:yyyyMMdd'T'HHmmss'Z'}.db");
        }
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.NotFound,
                $"Cannot write the catalog backup '{full}': the directory '{dir}' does not exist.", path);
        }
        if (SamePath(full, _engine.Catalog.Path))
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.InvalidArgument,
                $"'{full}' is the catalog itself; write the backup somewhere else.", path);
        }
        if (File.Exists(full) && !overwrite)
        {
            throw new CinderBackupException(ErrorIds.FileExists, ErrorKind.Conflict,
                $"The file '{full}' already exists; use -Force (--force) to replace it. Nothing was written.", path);
        }
        // The copy is made under a temporary name (which says which process makes it) and renamed into place when it is
        // complete and checked, so the file at PATH is always a whole catalog; what a killed copy left is removed here.
        var tempStart = $".{Path.GetFileName(full)}.";
        CatalogTempFiles.RemoveAbandoned(dir, tempStart);
        var temp = Path.Combine(dir, $"{tempStart}{CatalogTempFiles.Stamp()}.tmp");
        try
        {
            CreatePrivateFile(temp);
            _engine.Catalog.BackupTo(temp);
            FaultPoints.Hit("catalog.backup.copied");
            var copy = Inspect(temp, full);
            using (var db = CatalogDatabase.Open(temp, _engine.Config.CatalogBusyTimeoutSeconds))
            {
                db.UseRollbackJournal(); // a single self-contained file, readable without WAL side files
            }
            FaultPoints.Hit("catalog.backup.checked");
            Move(temp, full, overwrite);
            FaultPoints.Hit("catalog.backup.renamed");
            _engine.Detail($"Catalog: copied '{_engine.Catalog.Path}' to '{full}'.");
            return Describe(copy, full, new FileInfo(full).Length, now, null);
        }
        catch (Exception e) when (e is IOException || (e is CinderBackupException && DiskSpace.IsNoSpace(e)))
        {
            // A full disk (or another write failure) under the copy: the message names the copy asked for, not the
            // temporary file, and says that nothing was left under its name.
            throw DiskSpace.IsNoSpace(e)
                ? DiskSpace.MarkNoSpace(new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.IOError,
                    $"{DiskSpace.Explain(dir)}: the catalog backup '{full}' was not written. Free some space and try again; nothing was left under that name and the catalog was not changed.", path, e))
                : new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.IOError,
                    $"Cannot write the catalog backup '{full}': {e.Message}. Nothing was left under that name and the catalog was not changed.", path, e);
        }
        finally
        {
            DeleteWithSideFiles(temp);
        }
    }

    /// <summary>
    /// Replaces the catalog with the copy at <paramref name="path"/>. The copy is checked (an SQLite database, a
    /// CinderBackup catalog, intact, not newer than this version understands) and upgraded on a private copy first;
    /// the catalog as it was is saved next to it (<see cref="CatalogCopy.PreviousCatalogPath"/>). Refused while
    /// backups are being created, restored or deleted, unless <paramref name="force"/>.
    /// </summary>
    public CatalogCopy Restore(string path, bool force = false)
    {
        Policy.RequireAdmin(_engine.Context, "catalog restore");
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.NotFound,
                Directory.Exists(full) ? $"'{full}' is a directory, not a catalog backup." : $"The catalog backup '{full}' does not exist.", path);
        }
        if (SamePath(full, _engine.Catalog.Path))
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.InvalidArgument, $"'{full}' is the catalog itself.", path);
        }
        // Beside the SQLite file; for PostgreSQL, in the data directory (the saved catalog is a local SQLite copy).
        var dataDir = _engine.Config.Database is null ? Path.GetDirectoryName(_engine.Catalog.Path)! : _engine.Config.DataDirectory;
        Directory.CreateDirectory(dataDir);
        CatalogTempFiles.RemoveAbandoned(dataDir);
        var temp = Path.Combine(dataDir, $"{CatalogTempFiles.RestoreTemp}{CatalogTempFiles.Stamp()}.db");
        var savedTemp = Path.Combine(dataDir, $"{CatalogTempFiles.PreviousTemp}{CatalogTempFiles.Stamp()}.db");
        try
        {
            CreatePrivateFile(temp);
            try
            {
                File.Copy(full, temp, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.IOError, $"Cannot read the catalog backup '{full}': {e.Message}", path, e);
            }
            var copy = Inspect(temp, full);
            using (var db = CatalogDatabase.Open(temp, _engine.Config.CatalogBusyTimeoutSeconds))
            {
                db.UseRollbackJournal();
            }
            FaultPoints.Hit("catalog.restore.checked");
            if (!force)
            {
                var busy = _engine.Catalog.Read(db => BackupTable.InProgress(db, 3))
                    .Select(b => $"{b.Id} ({b.Status})").ToList();
                if (busy.Count > 0)
                {
                    throw new CinderBackupException(ErrorIds.CatalogBusy, ErrorKind.InvalidState,
                        $"Backups are being worked on ({string.Join(", ", busy)}); wait for them (Wait-VolumeBackup) or use -Force (--force). Nothing was changed.", busy[0].Split(' ')[0]);
                }
            }
            // The catalog as it is, saved whole before anything changes (under a temporary name until complete).
            var previous = Path.Combine(dataDir, $"catalog-before-restore-{Clock.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid().ToString("N")[..6]}.db");
            CreatePrivateFile(savedTemp);
            _engine.Catalog.BackupTo(savedTemp);
            Move(savedTemp, previous, overwrite: false);
            FaultPoints.Hit("catalog.restore.saved");
            // One transaction: the copy's rows, with the operations running now carried forward in the state they are in.
            var carried = _engine.Catalog.RestoreFrom(temp, () => FaultPoints.Hit("catalog.restore.swapping"));
            FaultPoints.Hit("catalog.restore.swapped");
            _engine.Detail($"Catalog: restored '{_engine.Catalog.Path}' from '{full}'; the previous catalog is saved as '{previous}'." +
                (carried.Count == 0 ? "" : $" Carried forward, as they are now: {string.Join(", ", carried)}."));
            // The copy may hold operations whose owners are gone (a copy taken while a backup ran): settled now, by the
            // repository's commit points, as at a start-up.
            var adopted = Recovery.Run(_engine.Session);
            return Describe(copy, full, new FileInfo(full).Length, File.GetLastWriteTimeUtc(full), previous, carried, adopted);
        }
        finally
        {
            DeleteWithSideFiles(temp);
            DeleteWithSideFiles(savedTemp);
        }
    }

    private sealed record Counts(int Schema, int Volumes, int Snapshots, int Backups);

    /// <summary>Opens (and upgrades) a private copy and checks it; errors name <paramref name="shownAs"/>, the user's file.</summary>
    private Counts Inspect(string privatePath, string shownAs)
    {
        // Opening an empty file would initialise it as a new, empty catalog.
        if (new FileInfo(privatePath).Length == 0)
        {
            throw new CinderBackupException(ErrorIds.CatalogBackupInvalid, ErrorKind.InvalidData,
                $"'{shownAs}' is an empty file, not a catalog backup. Nothing was changed.", shownAs);
        }
        try
        {
            using var db = CatalogDatabase.Open(privatePath, _engine.Config.CatalogBusyTimeoutSeconds);
            if (db.IntegrityProblem() is string problem)
            {
                throw new CinderBackupException(ErrorIds.CatalogBackupInvalid, ErrorKind.InvalidData,
                    $"'{shownAs}' is damaged (SQLite integrity check: {problem}). Nothing was changed.", shownAs);
            }
            return db.Read(d => new Counts(
                d.Dialect.SchemaVersion(d), VolumeTable.Count(d), SnapshotTable.Count(d), BackupTable.Count(d)));
        }
        catch (CinderBackupException e) when (e.ErrorId is ErrorIds.CatalogCorrupt or ErrorIds.CatalogTooNew or ErrorIds.CatalogUnavailable)
        {
            var reason = e.Message.Replace(privatePath, shownAs, StringComparison.Ordinal)
                .Replace(" Restore it from a catalog backup, or move it away and rebuild the records with discovery.", "", StringComparison.Ordinal);
            throw new CinderBackupException(e.ErrorId == ErrorIds.CatalogTooNew ? ErrorIds.CatalogTooNew : ErrorIds.CatalogBackupInvalid, ErrorKind.InvalidData,
                $"'{shownAs}' is not a usable catalog backup: {reason} Nothing was changed.", shownAs, e);
        }
    }

    private CatalogCopy Describe(Counts c, string path, long length, DateTime takenAt, string? previous,
        IReadOnlyList<string>? carried = null, IReadOnlyList<string>? adopted = null) => new()
    {
        CarriedForward = carried ?? Array.Empty<string>(),
        Adopted = adopted ?? Array.Empty<string>(),
        Path = path,
        Length = length,
        SchemaVersion = c.Schema,
        Volumes = c.Volumes,
        Snapshots = c.Snapshots,
        Backups = c.Backups,
        TakenAtUtc = takenAt,
        CatalogPath = _engine.Catalog.Path,
        PreviousCatalogPath = previous,
    };

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    private static void CreatePrivateFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using var _ = new FileStream(path, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.IOError, $"Cannot create '{path}': {e.Message}", path, e);
        }
    }

    private static void Move(string temp, string full, bool overwrite)
    {
        try
        {
            File.Move(temp, full, overwrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.IOError, $"Cannot write '{full}': {e.Message}", full, e);
        }
    }

    private static void DeleteWithSideFiles(string path)
    {
        foreach (var p in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            try
            {
                File.Delete(p);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
