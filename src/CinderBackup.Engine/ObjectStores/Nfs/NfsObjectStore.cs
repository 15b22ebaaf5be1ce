using CinderBackup.Engine.ObjectStores.Posix;

namespace CinderBackup.Engine.ObjectStores.Nfs;

/// <summary>
/// Cinder's NFSBackupDriver: the posix layout on an NFS share mounted at
/// <c>&lt;backup_mount_point_base&gt;/&lt;md5 hex of the share&gt;</c> (see <see cref="NfsMounter"/>).
/// </summary>
internal sealed class NfsObjectStore : PosixObjectStore
{
    public NfsObjectStore(string root, string share, bool createContainers, string repository, string? defaultContainer)
        : base(root, createContainers, repository, defaultContainer)
    {
        Share = share;
    }

    public string Share { get; }

    public override string Driver => "nfs";

    public override string MarkerLocation(string container) => $"{Share} (mounted at {Root})";

    /// <summary>NFS objects go through the client's page cache with write-behind.</summary>
    protected override bool WritesPastCache => false;

    public override string ServiceName => Config.RepositoryDefinition.NfsService;
}
