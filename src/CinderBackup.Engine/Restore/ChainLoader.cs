using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.ObjectStores;

namespace CinderBackup.Engine.Restore;

/// <summary>
/// Reads and checks each backup of a chain before a restore or verify: the _metadata version, and Cinder's
/// listing rule (the objects under the prefix must be exactly those the metadata names).
/// </summary>
internal static class ChainLoader
{
    /// <summary>
    /// A backup to load; the digests, when the catalog has them, are what its documents must hash to. With
    /// <paramref name="CatalogParent"/> known, the _metadata must name the same parent (null: a full backup).
    /// </summary>
    public sealed record Link(string BackupId, IObjectStore Store, string Container, string Prefix, string? MetadataSha256 = null, string? Sha256FileSha256 = null)
    {
        public bool ParentKnown { get; init; }

        public string? CatalogParent { get; init; }
    }

    public static ChainLayer Load(Link link)
    {
        var store = link.Store;
        var metadataName = link.Prefix + "_metadata";
        MetadataDocument metadata;
        if (store.Size(link.Container, metadataName) is null)
        {
            throw new CinderBackupException(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData,
                $"Backup {link.BackupId}: its metadata object '{metadataName}' is not in container '{link.Container}' of repository '{store.Location}'; the backup is incomplete or was deleted.", metadataName);
        }
        using (var stream = store.OpenRead(link.Container, metadataName))
        using (var digest = DigestStream.ForReading(stream))
        {
            metadata = MetadataDocument.Read(digest, metadataName);
            CheckDigest(link.BackupId, metadataName, link.MetadataSha256, digest);
        }
        if (metadata.Version != MetadataDocument.DriverVersion)
        {
            throw new CinderBackupException(ErrorIds.InvalidBackup, ErrorKind.InvalidData,
                $"Invalid backup: No support to restore backup version {metadata.Version}", metadataName);
        }
        if (link.ParentKnown && !string.Equals(metadata.ParentId, link.CatalogParent, StringComparison.OrdinalIgnoreCase))
        {
            // Cinder's _metadata records the parent the backup was made against; a record imported with another parent
            // (or a full backup's record made incremental) describes a chain whose blocks do not add up to this backup.
            throw new CinderBackupException(ErrorIds.BackupChainBroken, ErrorKind.InvalidData,
                $"Backup {link.BackupId}: its _metadata '{metadataName}' says it was made {Parent(metadata.ParentId)}, but the catalog records it {Parent(link.CatalogParent)}; its record was imported or changed with the wrong parent, so this chain cannot restore it.",
                metadataName);
        }
        var layer = new ChainLayer(link.BackupId, store, link.Container, link.Prefix, metadata) { Sha256FileSha256 = link.Sha256FileSha256 };
        CheckListing(layer);
        return layer;
    }

    private static string Parent(string? id) => id is null ? "as a full backup" : $"as an incremental of backup {id}";

    /// <summary>Cinder's strict listing check, with the offending names added to its message.</summary>
    public static void CheckListing(ChainLayer layer)
    {
        var listed = layer.Objects.List(layer.Container, layer.Prefix)
            .Where(n => n != layer.MetadataName && n != layer.Sha256Name)
            .ToHashSet(StringComparer.Ordinal);
        var recorded = layer.Metadata.Objects.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        if (listed.SetEquals(recorded))
        {
            return;
        }
        var extra = listed.Except(recorded).OrderBy(n => n, StringComparer.Ordinal).ToList();
        var missing = recorded.Except(listed).OrderBy(n => n, StringComparer.Ordinal).ToList();
        var details = extra.Count > 0
            ? $"'{extra[0]}' is in the container but not in the metadata"
            : $"'{missing[0]}' is in the metadata but not in the container";
        throw new CinderBackupException(ErrorIds.InvalidBackup, ErrorKind.InvalidData,
            $"Invalid backup: restore_backup aborted, actual object list does not match object list stored in metadata. (backup {layer.BackupId}: {details})",
            extra.Count > 0 ? extra[0] : missing[0]);
    }

    /// <summary>Reads a backup's _sha256file into a hash file; returns its chunk (hash block) size.</summary>
    public static long ReadHashes(ChainLayer layer, HashFile into)
    {
        using var stream = OpenSha256(layer);
        using var digest = DigestStream.ForReading(stream);
        var chunk = Sha256Document.Read(digest, layer.Sha256Name, into).ChunkSize;
        CheckDigest(layer.BackupId, layer.Sha256Name, layer.Sha256FileSha256, digest);
        return chunk;
    }

    /// <summary>Ours beyond Cinder: a document whose digest the catalog recorded must still hash to it, byte for byte.</summary>
    private static void CheckDigest(string backupId, string name, string? expected, DigestStream digest)
    {
        if (expected is not null && !string.Equals(digest.Finish(), expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                $"Backup {backupId}: its document '{name}' does not match the SHA-256 recorded when it was written; it was changed or damaged.", name);
        }
    }

    /// <summary>Only the hash block size of a backup's _sha256file.</summary>
    public static long ReadChunkSize(ChainLayer layer)
    {
        using var stream = OpenSha256(layer);
        return Sha256Document.ReadChunkSize(stream, layer.Sha256Name);
    }

    /// <summary>Every layer must hash the same block size as the requested backup, or block indexes do not line up.</summary>
    public static void CheckChunkSizes(IReadOnlyList<ChainLayer> chain, long chunk)
    {
        foreach (var layer in chain.Skip(1))
        {
            var other = ReadChunkSize(layer);
            if (other != chunk)
            {
                throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                    $"Backup {layer.BackupId} hashes {other}-byte blocks but backup {chain[0].BackupId} hashes {chunk}-byte blocks; the chain is inconsistent.", layer.BackupId);
            }
        }
    }

    private static Stream OpenSha256(ChainLayer layer)
    {
        if (layer.Objects.Size(layer.Container, layer.Sha256Name) is null)
        {
            throw new CinderBackupException(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData,
                $"Backup {layer.BackupId}: its hash list '{layer.Sha256Name}' is missing from container '{layer.Container}'.", layer.Sha256Name);
        }
        return layer.Objects.OpenRead(layer.Container, layer.Sha256Name);
    }
}
