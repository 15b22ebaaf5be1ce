using CinderBackup.Engine.Format;
using CinderBackup.Engine.ObjectStores;

namespace CinderBackup.Engine.Restore;

/// <summary>
/// One backup of a restore chain, with the store it lives in and its parsed _metadata. The shape is the chunked
/// layout's; a repository that is not a bag of objects (Ceph) gives no <see cref="Store"/>, a <see cref="Metadata"/>
/// made from what it has (ids, parent, volume_meta, no objects), and its own state in <see cref="Opaque"/>, which only
/// that repository reads.
/// </summary>
internal sealed record ChainLayer(string BackupId, IObjectStore? Store, string Container, string Prefix, MetadataDocument Metadata)
{
    public string MetadataName => Prefix + "_metadata";

    public string Sha256Name => Prefix + "_sha256file";

    /// <summary>What the _sha256file must hash to, when the catalog recorded it (backups written here).</summary>
    public string? Sha256FileSha256 { get; init; }

    /// <summary>The object store of a chunked layer (the chunked data paths only read these).</summary>
    public IObjectStore Objects => Store ?? throw new InvalidOperationException($"Backup {BackupId} is not in a chunked repository.");

    /// <summary>What a non-chunked repository keeps about the layer (Ceph: image, snapshot, hash list); null for chunked layers.</summary>
    public object? Opaque { get; init; }
}
