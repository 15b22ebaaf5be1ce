namespace CinderBackup.Engine.Volumes;

/// <summary>Where a volume's bytes live.</summary>
internal static class VolumeBackend
{
    /// <summary>A sparse raw image in the file pool, created and deleted by us.</summary>
    public const string Pool = "pool";

    /// <summary>An existing image file or block device; never deleted, truncated or grown by us.</summary>
    public const string Path = "path";
}
