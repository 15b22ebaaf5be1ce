using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Native;

namespace CinderBackup.Engine.Volumes;

/// <summary>
/// Which files an administrator's process (a backup service, or an administrator's command) may read or write for a
/// volume or snapshot that a project role recorded (on PostgreSQL, <c>recorded_by_admin = 0</c>, stamped by the server).
/// Such a process holds the repositories' keys and its own file rights, so the path a project role wrote must not
/// choose the file: it acts only on the file the project's own tools make there (the pool image of that volume id, the
/// snapshot file of that snapshot id, not through a link), or on a registered path under <c>shared_volume_paths</c>.
/// Any other path (a device, <c>/etc/shadow</c>, another project's file) needs an administrator to register it.
/// A project role's own process reads with its own rights and is not limited here, nor is anything on SQLite.
/// </summary>
internal static class VolumeProvenance
{
    public static void CheckVolume(EngineConfig config, ICatalog catalog, BlockVolume volume)
    {
        if (catalog.Role is not { IsAdmin: true } || catalog.Read(db => VolumeTable.RecordedByAdmin(db, volume.Id)))
        {
            return;
        }
        var ok = volume.Backend == VolumeBackend.Pool
            ? OwnFile(volume.Path, FilePool.ImagePath(config.VolumePoolPath, volume.Id))
            : config.SharedVolumePaths.Any(root => RealPath.IsWithin(RealPath.Resolve(volume.Path), RealPath.Resolve(root)));
        if (!ok)
        {
            throw Refused($"Volume {VolumeNames.Describe(volume)}", volume.Path, volume.Id,
                volume.Backend == VolumeBackend.Pool ? $"its pool image '{FilePool.ImagePath(config.VolumePoolPath, volume.Id)}'" : "a path under shared_volume_paths");
        }
    }

    public static void CheckSnapshot(EngineConfig config, ICatalog catalog, string snapshotId, string path)
    {
        if (catalog.Role is not { IsAdmin: true } || catalog.Read(db => SnapshotTable.RecordedByAdmin(db, snapshotId)))
        {
            return;
        }
        var expected = Path.Combine(config.SnapshotPath, "snapshot-" + snapshotId);
        if (!OwnFile(path, expected))
        {
            throw Refused($"Snapshot {snapshotId}", path, snapshotId, $"its snapshot file '{expected}'");
        }
    }

    /// <summary>The path is exactly where this host's tools make the file, and no link leads it elsewhere.</summary>
    private static bool OwnFile(string path, string expected) =>
        string.Equals(Path.GetFullPath(path), Path.GetFullPath(expected), StringComparison.Ordinal)
        && string.Equals(RealPath.Resolve(path), Path.Combine(RealPath.Resolve(Path.GetDirectoryName(expected)!), Path.GetFileName(expected)), StringComparison.Ordinal);

    private static CinderBackupException Refused(string what, string path, string id, string allowed) =>
        new(ErrorIds.PolicyNotAuthorized, ErrorKind.PermissionDenied,
            $"{what} was recorded by a project role with the path '{path}'; an administrator's process (a backup service) uses such a volume only at {allowed}. " +
            "An administrator must register any other path. Nothing was read or written.", id);
}
