using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Native;
using CinderBackup.Engine.Rules;

namespace CinderBackup.Engine.Volumes;

/// <summary>
/// What a path given to <c>volume register</c> may lead to: a regular file or a block device that is none of the
/// tool's own files and folders (catalog and its side files, logs, configuration, volume pool, snapshots, tmp,
/// repository roots and NFS mount points) and no other volume's or snapshot's file, in any project. Files are compared
/// by identity (device and inode, a block device by the device it opens) after following links, never by the text of
/// the path, so a symbolic link, a hard link or a second device node is the file it leads to. A FIFO, socket or
/// character device is refused before anything opens it. The same rules apply again whenever a registered volume is
/// read or written, since a link may have been retargeted since registration.
/// </summary>
internal static class RegisteredPaths
{
    /// <summary>Checks <paramref name="full"/> (an absolute path) for volume <paramref name="self"/> (null: a new one) and returns what it leads to.</summary>
    public static FileIdentity Check(EngineConfig config, BackupContext context, Db db, string full, string? self)
    {
        try
        {
            return CheckCore(config, context, db, full, self);
        }
        catch (IOException e)
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.InvalidArgument, $"The path '{full}' cannot be examined: {e.Message}", full, e);
        }
    }

    /// <summary>
    /// Before a registered volume is read or written: its path must still lead to a file it may be (it was checked at
    /// registration, but a link may since lead elsewhere). Returns what the open must find; null for pool volumes.
    /// </summary>
    public static FileIdentity? CheckInUse(EngineConfig config, BackupContext context, ICatalog catalog, BlockVolume volume)
    {
        VolumeProvenance.CheckVolume(config, catalog, volume); // a project role's path never chooses an administrator's file
        if (volume.Backend != VolumeBackend.Path)
        {
            return null;
        }
        try
        {
            return catalog.Read(db => Check(config, context, db, volume.Path, volume.Id));
        }
        catch (CinderBackupException e) when (e.ErrorId == ErrorIds.InvalidPath)
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, e.Kind,
                $"Volume {VolumeNames.Describe(volume)} is the registered path '{volume.Path}', which no longer leads to a file it may use (a link may have been changed since it was registered): {e.Message}",
                volume.Id, e);
        }
    }

    private static FileIdentity CheckCore(EngineConfig config, BackupContext context, Db db, string full, string? self)
    {
        var identity = FileIdentity.Of(full)
            ?? throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.NotFound, $"The path '{full}' does not exist.", full);
        var kind = identity.Kind switch
        {
            FileKind.Regular or FileKind.BlockDevice => null,
            FileKind.Directory => "a directory",
            FileKind.Fifo => "a FIFO (named pipe)",
            FileKind.Socket => "a socket",
            FileKind.CharacterDevice => "a character device",
            _ => "not a file",
        };
        if (kind is not null)
        {
            throw Refused(full, $"is {kind}, not an image file or block device", ErrorKind.InvalidArgument);
        }
        foreach (var (what, path) in OwnFiles(config))
        {
            if (SafeIdentity(path) is { } own && own.SameAs(identity))
            {
                throw Refused(full, $"is CinderBackup's own {what} '{path}'; it cannot be a volume", ErrorKind.InvalidArgument);
            }
        }
        foreach (var v in VolumeTable.List(db, null).Where(v => v.Id != self))
        {
            if (SafeIdentity(v.Path) is { } other && other.SameAs(identity))
            {
                // Another project's volume is not named: its id is not the caller's to know.
                throw Refused(full, Policy.CanSee(context, v.ProjectId) ? $"is already volume {v.Id}" : "is already a volume of another project", ErrorKind.Conflict);
            }
        }
        foreach (var s in SnapshotTable.List(db, null))
        {
            if (SafeIdentity(s.Path) is { } other && other.SameAs(identity))
            {
                throw Refused(full, Policy.CanSee(context, s.ProjectId) ? $"is already snapshot {s.Id}" : "is already a snapshot of another project", ErrorKind.Conflict);
            }
        }
        if (identity.Kind == FileKind.Regular)
        {
            var folders = OwnFolders(config)
                .Select(f => (f.What, f.Path, Identity: SafeIdentity(f.Path)))
                .Where(f => f.Identity is { Kind: FileKind.Directory })
                .ToList();
            for (var dir = Path.GetDirectoryName(RealPath.Resolve(full)); dir is not null; dir = Path.GetDirectoryName(dir))
            {
                if (SafeIdentity(dir) is not { } d)
                {
                    continue;
                }
                foreach (var f in folders.Where(f => f.Identity!.Value.SameAs(d)))
                {
                    throw Refused(full, $"is inside '{f.Path}', CinderBackup's {f.What}; it cannot be a volume", ErrorKind.InvalidArgument);
                }
            }
        }
        return identity;
    }

    /// <summary>The identity of a path, or null when it is missing or cannot be examined (it then matches nothing).</summary>
    private static FileIdentity? SafeIdentity(string path)
    {
        try
        {
            return FileIdentity.Of(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static IEnumerable<(string What, string Path)> OwnFiles(Config.EngineConfig config)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            yield return ("catalog", config.CatalogPath + suffix);
        }
        yield return ("log", config.LogPath);
        if (config.SourceFile is not null)
        {
            yield return ("configuration file", config.SourceFile);
        }
        // Catalog copies a restore keeps (catalog-before-restore-*.db), their side files, and the worker log.
        var names = Directory.Exists(config.DataDirectory)
            ? Directory.EnumerateFiles(config.DataDirectory, "catalog*").Concat(Directory.EnumerateFiles(config.DataDirectory, "cinder-backup*"))
            : Enumerable.Empty<string>();
        foreach (var path in names)
        {
            yield return (Path.GetFileName(path).StartsWith("catalog", StringComparison.Ordinal) ? "catalog file" : "log", path);
        }
    }

    private static IEnumerable<(string What, string Path)> OwnFolders(Config.EngineConfig config)
    {
        yield return ("volume pool", config.VolumePoolPath);
        yield return ("snapshot directory", config.SnapshotPath);
        yield return ("temporary directory", config.TempDirectory);
        foreach (var r in config.Repositories)
        {
            switch (r.Driver)
            {
                case "posix":
                    yield return ($"repository '{r.Name}'", r.PosixPath);
                    break;
                case "nfs":
                    yield return ($"NFS mount points (repository '{r.Name}')", r.MountPointBase);
                    break;
            }
        }
    }

    private static CinderBackupException Refused(string full, string why, ErrorKind kind) =>
        new(ErrorIds.InvalidPath, kind, $"The path '{full}' {why}.", full);
}
