namespace CinderBackup.Engine.Volumes;

/// <summary>Where a volume's bytes live.</summary>
internal static class VolumeBackend
{
    /// <summary>A sparse raw image in the file pool, created and deleted by us.</summary>
    public const string Pool = "pool";

    /// <summary>An existing image file or block device; never deleted, truncated or grown by us.</summary>
    public const string Path = "path";

    /// <summary>An RBD image made by us in rbd_pool (volume-&lt;id&gt;): deleted and grown by us.</summary>
    public const string Rbd = "rbd";

    /// <summary>An existing RBD image registered with <c>--rbd POOL/IMAGE</c>: never deleted or resized by us.</summary>
    public const string RbdRegistered = "rbd-registered";

    public static bool IsRbd(string backend) => backend is Rbd or RbdRegistered;
}
