namespace CinderBackup.Engine.Repositories;

/// <summary>
/// A backup to load from a repository; the digests, when the catalog has them, are what its documents must hash to.
/// With <see cref="ParentKnown"/>, its documents must name <see cref="CatalogParent"/> as parent (null: a full backup).
/// A repository whose documents record no parent (Ceph) takes <see cref="CatalogParent"/> as the backup's parent.
/// </summary>
internal sealed record ChainLink(string BackupId, string Container, string Prefix, string? MetadataSha256 = null, string? Sha256FileSha256 = null)
{
    public bool ParentKnown { get; init; }

    public string? CatalogParent { get; init; }
}
