using CinderBackup.Engine.Config;
using CinderBackup.Engine.Native;

namespace CinderBackup.Engine.Volumes;

/// <summary>
/// Which hosts can reach a volume (Cinder's backup_use_same_host): a volume whose file really lies under one of
/// shared_volume_paths (an NFS mount, a cluster file system every host mounts at the same path) is reachable from every
/// host's backup service; any other from its own host's only. Decided once, when the volume is recorded.
/// </summary>
internal static class SharedStorage
{
    public static bool Covers(EngineConfig config, string path)
    {
        var real = RealPath.Resolve(path);
        return config.SharedVolumePaths.Any(root => RealPath.IsWithin(real, RealPath.Resolve(root)));
    }
}
