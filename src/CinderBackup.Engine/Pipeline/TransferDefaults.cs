using CinderBackup.Engine.Config;
using CinderBackup.Engine.Hashing;

namespace CinderBackup.Engine.Pipeline;

/// <summary>Tuning defaults of the transfer engine that depend on the configuration and the machine.</summary>
internal static class TransferDefaults
{
    /// <summary>
    /// backup_objects_in_flight, else enough objects to fill the MD5 lanes (16 with AVX-512), at least two per
    /// worker; bz2 backups keep two per worker, as each bzip2 compressor holds about 8 MiB.
    /// </summary>
    public static int ObjectsInFlight(EngineConfig config, string? backupCodec)
    {
        if (config.ObjectsInFlight is int configured)
        {
            return configured;
        }
        var workers = config.BackupWorkers;
        return backupCodec is "bz2" or "bzip2" ? 2 * workers : Math.Max(2 * workers, Md5Lanes.Width);
    }
}
