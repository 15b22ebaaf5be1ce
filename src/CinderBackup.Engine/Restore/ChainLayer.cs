using CinderBackup.Engine.Format;
using CinderBackup.Engine.ObjectStores;

namespace CinderBackup.Engine.Restore;

/// <summary>One backup of a restore chain, with the store it lives in and its parsed _metadata.</summary>
internal sealed record ChainLayer(string BackupId, IObjectStore Store, string Container, string Prefix, MetadataDocument Metadata)
{
    public string MetadataName => Prefix + "_metadata";

    public string Sha256Name => Prefix + "_sha256file";

    /// <summary>What the _sha256file must hash to, when the catalog recorded it (backups written here).</summary>
    public string? Sha256FileSha256 { get; init; }
}
