using CinderBackup.Engine.ObjectStores;
using CinderBackup.Engine.Backup;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.ObjectStores.Posix;
using CinderBackup.Engine.ObjectStores.S3;
using CinderBackup.Engine.Restore;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Repositories.Chunked;

/// <summary>
/// Cinder's chunked backup layout (<c>_metadata</c>, <c>_sha256file</c>, numbered data objects under a prefix) over an
/// <see cref="IObjectStore"/>: the repository driver of posix, NFS and S3 repositories (and next Swift). The data paths
/// (<see cref="BackupWriter"/>, <see cref="ChainLoader"/>, <see cref="RestoreWriter"/>, <see cref="ChainVerifier"/>)
/// do the work; this class is where the operations' requests meet the object store.
/// </summary>
internal sealed class ChunkedRepository : IBackupRepository
{
    public ChunkedRepository(IObjectStore store) => Store = store;

    /// <summary>The object store underneath (tests and the resolver's marker checks; never the operations).</summary>
    public IObjectStore Store { get; }

    public string Repository => Store.Repository;

    public string Driver => Store.Driver;

    public string ServiceName => Store.ServiceName;

    public string Location => Store.Location;

    public bool Cancellable => true;

    public string? CredentialSource => Store switch
    {
        S3ObjectStore s3 => s3.Settings.CredentialSource,
        ObjectStores.Swift.SwiftObjectStore { Settings.SingleUser: true } => "configuration file",
        ObjectStores.Swift.SwiftObjectStore swift => swift.Settings.TokenSource,
        _ => null,
    };

    public string DefaultContainer(string backupId) => Store.DefaultContainer(backupId);

    public void ValidateContainer(string container) => Store.ValidateContainer(container);

    // A posix or NFS prefix is one name in the container's directory; S3 keys may hold '/'.
    public bool PrefixEscapes(string prefix) => prefix.Contains('/') && Store.Driver is not ("s3" or "swift") || prefix.Contains("..") || prefix.Any(char.IsControl);

    public void CheckWritable(string? container) => Store.CheckWritable(container);

    public (bool Reachable, string? Problem) Probe() => Store.Probe();

    public string MarkerLocation(string container) => Store.MarkerLocation(container);

    public string? ReadIdentity(string container) => RepositoryMarker.Read(Store, container);

    public string? WhereMissing(string container)
    {
        // Where the marker would be: a posix or NFS repository's root, an S3 bucket.
        var exists = Store is PosixObjectStore posix ? Directory.Exists(posix.Root) : Store.ContainerExists(container);
        return exists ? null : Store is PosixObjectStore ? "which does not exist" : $"where bucket '{container}' does not exist";
    }

    public BackupPlacement Place(string backupId, string volumeId, string? container, DateTime utc, string availabilityZone)
    {
        container ??= Store.DefaultContainer(backupId);
        var prefix = Store.Prefix(volumeId, backupId, utc, availabilityZone);
        Store.PutContainer(container);
        var id = RepositoryMarker.Ensure(Store, container);
        return new BackupPlacement(container, prefix, id, Store.MarkerLocation(container));
    }

    public long ReadHashBlockSize(BackupRow backup) => ChainLoader.ReadChunkSize(HashLayer(backup));

    public long ReadHashes(BackupRow backup, HashFile into) => ChainLoader.ReadHashes(HashLayer(backup), into);

    /// <summary>A backup as a chain layer for reading its _sha256file (checked against the digest recorded for it).</summary>
    private ChainLayer HashLayer(BackupRow backup) =>
        new(backup.Id, Store, backup.Container!, backup.ServiceMetadata!, new MetadataDocument())
        {
            Sha256FileSha256 = backup.Sha256FileSha256,
        };

    public BackupWriteResult Write(BackupWriteRequest request) => new BackupWriter(request with { Store = Store }).Run();

    public void RemoveBackup(string container, string prefix, string backupId) => BackupWriter.RemoveEverything(Store, container, prefix, backupId);

    public void RemoveStaged(string container, string backupId) => Store.RemoveStaged(container, backupId);

    public void DeleteBackup(string container, string prefix, string backupId, Action progress)
    {
        foreach (var name in Store.List(container, prefix))
        {
            Store.Delete(container, name);
            FaultPoints.Hit("delete.object");
            progress();
        }
    }

    /// <summary>Both of Cinder's naming schemes start volume_&lt;vid&gt; and end backup_&lt;bid&gt;.</summary>
    public string? FindPrefix(string container, string volumeId, string backupId)
    {
        var mark = "backup_" + backupId;
        foreach (var name in Store.List(container, "volume_" + volumeId))
        {
            var at = name.IndexOf(mark, StringComparison.Ordinal);
            if (at > 0 && name.Length > at + mark.Length && name[at + mark.Length] is '_' or '-')
            {
                return name[..(at + mark.Length)];
            }
        }
        return null;
    }

    public bool HasCommitPoint(string container, string prefix, string backupId) => Store.Size(container, prefix + "_metadata") is not null;

    public ChainLayer LoadLayer(ChainLink link) =>
        ChainLoader.Load(new ChainLoader.Link(link.BackupId, Store, link.Container, link.Prefix, link.MetadataSha256, link.Sha256FileSha256)
        {
            ParentKnown = link.ParentKnown,
            CatalogParent = link.CatalogParent,
        });

    public string? CheckComplete(ChainLayer layer, string tempDirectory)
    {
        var m = layer.Metadata;
        foreach (var o in m.Objects)
        {
            var size = Store.Size(layer.Container, o.Name);
            if (size is null || (o.Compression.Equals("none", StringComparison.OrdinalIgnoreCase) && size != o.Length))
            {
                return $"its object '{o.Name}' is {(size is null ? "missing" : $"{size} bytes, not {o.Length}")}";
            }
        }
        using var hashes = HashFile.Create(tempDirectory);
        var chunk = ChainLoader.ReadHashes(layer, hashes);
        var end = m.Objects.Count == 0 ? 0 : m.Objects.Max(o => o.End);
        return hashes.Count * chunk < end
            ? $"its hash list '{layer.Sha256Name}' covers {hashes.Count * chunk} bytes, less than its objects ({end})"
            : null;
    }

    public string DocumentDigest(ChainLayer layer, bool metadata)
    {
        using var stream = Store.OpenRead(layer.Container, metadata ? layer.MetadataName : layer.Sha256Name);
        using var digest = DigestStream.ForReading(stream);
        return digest.Finish();
    }

    public RestoreResult Restore(RestoreRequest request) => new RestoreWriter(request).Run();

    public ChainVerifier.Outcome Verify(IReadOnlyList<ChainLayer> chain, bool deep, string tempDirectory, int workers,
        IProgress<TransferProgress>? progress, CancellationToken cancel, int objectsInFlight) =>
        ChainVerifier.Run(chain, deep, tempDirectory, workers, progress, cancel, objectsInFlight);

    public int CheckImported(BackupRow row)
    {
        if (row.Container is null || row.ServiceMetadata is null)
        {
            throw new CinderBackupException(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData,
                $"Backup {row.Id}: the record names no container or object prefix, so the repository cannot hold its data.", row.Id);
        }
        var layer = LoadLayer(new ChainLink(row.Id, row.Container, row.ServiceMetadata));
        if (!string.Equals(layer.Metadata.BackupId, row.Id, StringComparison.OrdinalIgnoreCase))
        {
            throw new CinderBackupException(ErrorIds.InvalidBackup, ErrorKind.InvalidData,
                $"Backup {row.Id}: the _metadata document at '{row.ServiceMetadata}_metadata' describes backup {layer.Metadata.BackupId}.", row.Id);
        }
        if (Store.Size(row.Container, row.ServiceMetadata + "_sha256file") is null)
        {
            throw new CinderBackupException(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData,
                $"Backup {row.Id}: its '{row.ServiceMetadata}_sha256file' is not in container '{row.Container}' of repository '{Store.Repository}'.", row.Id);
        }
        return layer.Metadata.Objects.Count;
    }

    public IEnumerable<DiscoveredRow> Discover(string? container) => RecordDiscovery.Scan(Store, container);
}
