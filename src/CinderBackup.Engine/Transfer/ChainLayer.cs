using CinderBackup.Engine.Repositories;

namespace CinderBackup.Engine.Transfer;

/// <summary>One backup of a restore chain, with the store it lives in and its parsed _metadata.</summary>
internal sealed record ChainLayer(string BackupId, IObjectStore Store, string Container, string Prefix, MetadataDocument Metadata)
{
    public string MetadataName => Prefix + "_metadata";

    public string Sha256Name => Prefix + "_sha256file";
}
