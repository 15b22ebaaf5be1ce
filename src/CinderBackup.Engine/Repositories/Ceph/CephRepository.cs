using System.Security.Cryptography;
using System.Text;
using CinderBackup.Engine.Backup;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Native.Ceph;
using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.Restore;
using CinderBackup.Engine.Util;
using CinderBackup.Engine.Volumes;

namespace CinderBackup.Engine.Repositories.Ceph;

/// <summary>
/// Cinder's CephBackupDriver format (cinder/backup/drivers/ceph.py) through librados/librbd: a backup is an RBD image
/// in the backup pool (the container), <c>volume-&lt;vid&gt;.backup.&lt;bid&gt;</c>, with the volume-meta JSON in RADOS
/// object <c>backup.&lt;bid&gt;.meta</c> and <c>service_metadata</c> <c>{"base": image}</c>. Beyond Cinder, each of our
/// backups also gets a backup snapshot <c>backup.&lt;bid&gt;.snap.&lt;time&gt;</c> on its image (so Cinder restores it:
/// without one, Cinder 21 looks for <c>volume-&lt;vid&gt;.backup.base</c> and fails) and our per-block SHA-256 list in RADOS
/// object <c>backup.&lt;bid&gt;.sha256file</c> (and <c>.1</c>, <c>.2</c>, ... past 64 MiB: <see cref="CephHashList"/>), so verify, deep verify and verified restore work. Order: data, snapshot,
/// hash list, and last the meta object: the commit point is the image with its meta object. An RBD volume's backups are
/// Cinder's chain instead: snapshots of one base image, each shipping only the change (<see cref="WriteChain"/>).
/// </summary>
internal sealed class CephRepository : IBackupRepository
{
    private readonly RepositoryDefinition _definition;

    public CephRepository(RepositoryDefinition definition) => _definition = definition;

    public string Repository => _definition.Name;

    public string Driver => "ceph";

    public string ServiceName => RepositoryDefinition.CephService;

    public string Location => $"ceph:{_definition.CephConf} (client.{_definition.CephUser})";

    public string? CredentialSource => $"the keyring {_definition.CephConf} names for client.{_definition.CephUser}";

    /// <summary>Cinder's Ceph driver has no cancel: backups and restores run to their end (the seeds' rule).</summary>
    public bool Cancellable => false;

    public string DefaultContainer(string backupId) => _definition.CephPool;

    public void ValidateContainer(string container)
    {
        if (container.Length is 0 or > 255 || container.Any(c => char.IsControl(c) || c is '/' or '@'))
        {
            throw new CinderBackupException(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument,
                $"Invalid container '{PrintableText.Brief(container)}': a Ceph repository's container is a pool name.", container);
        }
    }

    /// <summary>A Ceph backup's "prefix" is its service_metadata: a base image name of Cinder's pattern, or nothing.</summary>
    public bool PrefixEscapes(string prefix) => prefix.Length > 0 && CephNames.BaseOf(prefix) is null;

    public void CheckWritable(string? container)
    {
        var pool = container ?? _definition.CephPool;
        if (!WithCluster(c => c.PoolExists(pool)))
        {
            throw new CinderBackupException(ErrorIds.ContainerNotFound, ErrorKind.NotFound,
                $"Repository '{Repository}': pool '{pool}' does not exist in the Ceph cluster of '{_definition.CephConf}'.", pool);
        }
    }

    public (bool Reachable, string? Problem) Probe()
    {
        try
        {
            using (Connect())
            {
                return (true, null);
            }
        }
        catch (CinderBackupException e)
        {
            return (false, e.Message);
        }
    }

    public string MarkerLocation(string container) => $"ceph pool '{container}' of {_definition.CephConf}";

    public string? ReadIdentity(string container) =>
        Guarded(container, () => WithPool(container, p => p.ReadObject(CephNames.Marker, 4096) is { } b ? Encoding.UTF8.GetString(b).Trim() : null));

    public string? WhereMissing(string container) => WithCluster(c => c.PoolExists(container)) ? null : $"where pool '{container}' does not exist";

    public BackupPlacement Place(string backupId, string volumeId, string? container, DateTime utc, string availabilityZone)
    {
        container ??= _definition.CephPool;
        CheckWritable(container);
        var id = Guarded(container, () => WithPool(container, p =>
        {
            if (p.ReadObject(CephNames.Marker, 4096) is { } b)
            {
                return Encoding.UTF8.GetString(b).Trim();
            }
            // Two first backups into a new pool race here: only one create wins; the other reads the winner's id.
            var fresh = Guid.NewGuid().ToString();
            return p.CreateObjectExclusive(CephNames.Marker, Encoding.UTF8.GetBytes(fresh))
                ? fresh
                : Encoding.UTF8.GetString(p.ReadObject(CephNames.Marker, 4096) ?? throw new CephException($"Object '{CephNames.Marker}' in pool '{p.Name}' vanished", -CephException.ENOENT)).Trim();
        }));
        return new BackupPlacement(container, CephNames.ServiceMetadata(CephNames.Image(volumeId, backupId)), id, MarkerLocation(container));
    }

    public long ReadHashBlockSize(BackupRow backup) =>
        Guarded(backup.Id, () => WithPool(backup.Container!, p =>
            !CephHashList.Exists(p, backup.Id)
                ? _definition.ShaBlockSize // Cinder's own backup: no list (an incremental from it is refused by Write)
                : Sha256Document.ReadChunkSize(CephHashList.OpenRead(p, backup.Id), CephNames.Hashes(backup.Id))));

    public long ReadHashes(BackupRow backup, HashFile into) => Guarded(backup.Id, () => WithPool(backup.Container!, p => ReadHashes(p, backup.Id, backup.Sha256FileSha256, into)));

    public BackupWriteResult Write(BackupWriteRequest request)
    {
        if (RbdLocation.Is(request.SourcePath))
        {
            return WriteChain(request);
        }
        if (request.ParentId is not null)
        {
            // ceph.py backup(): "Volume file is NOT RBD: can't perform incremental backup." then BackupRBDOperationFailed.
            throw new CinderBackupException(ErrorIds.BackupFailed, ErrorKind.NotSupported,
                "Backup RBD operation failed: the volume is not an RBD image, and Cinder's Ceph driver makes incremental backups only from RBD volumes. Make a full backup.", request.Header.BackupId);
        }
        var backupId = request.Header.BackupId;
        var imageName = CephNames.BaseOf(request.Prefix) ?? CephNames.Image(request.Header.VolumeId, backupId);
        return Guarded(backupId, () => WithPool(request.Container, pool =>
        {
            using var source = SourceVolume.Open(request);
            var imageSize = Math.Max(CephTransfer.GiB, (source.Length + CephTransfer.GiB - 1) / CephTransfer.GiB * CephTransfer.GiB);
            pool.CreateImage(imageName, imageSize);
            long written;
            using (var hashes = HashFile.Create(request.TempDirectory))
            {
                using (var image = pool.OpenImage(imageName))
                {
                    written = CephTransfer.Backup(source, image, imageSize, request.ShaBlockSize, CephTransfer.Piece(_definition.CephChunkSize, request.ShaBlockSize),
                        hashes, request.Workers, request.Throttle, request.Progress);
                    image.Flush();
                    FaultPoints.Hit("ceph.backup.data.written");
                    image.CreateSnapshot(CephNames.Snapshot(backupId, Clock.UtcNow));
                }
                FaultPoints.Hit("ceph.backup.snapshot.created");
                var (metaDigest, hashDigest) = Commit(pool, request, hashes);
                return new BackupWriteResult(0, written, source.Length, written)
                {
                    MetadataSha256 = metaDigest,
                    Sha256FileSha256 = hashDigest,
                };
            }
        }));
    }

    /// <summary>
    /// An RBD source, as Cinder's _backup_rbd: a full backup creates the base image <c>volume-&lt;vid&gt;.backup.&lt;bid&gt;</c>
    /// and ships every allocated extent of the source's backup snapshot; an incremental ships, into its parent's base, the
    /// extents changed since the parent's source snapshot (rbd_diff_iterate2). Then the base gets a snapshot of the same
    /// name as the source's, so backup N is the base at snapshot N. The hash list starts from the parent's, and only the
    /// shipped blocks are hashed again.
    /// </summary>
    private BackupWriteResult WriteChain(BackupWriteRequest request)
    {
        var backupId = request.Header.BackupId;
        var baseName = CephNames.BaseOf(request.Prefix) ?? CephNames.Image(request.Header.VolumeId, backupId);
        var snapshotName = RbdLocation.FromPath(request.SourcePath).Snapshot
            ?? throw new InvalidOperationException("An RBD source is read from its backup snapshot.");
        var block = request.ShaBlockSize;
        return Guarded(backupId, () => WithPool(request.Container, pool =>
        {
            using var source = SourceVolume.Open(request);
            using var hashes = HashFile.Create(request.TempDirectory);
            var fresh = request.ParentId is null;
            if (fresh)
            {
                pool.CreateImage(baseName, Math.Max(CephTransfer.GiB, (source.Length + CephTransfer.GiB - 1) / CephTransfer.GiB * CephTransfer.GiB));
                FaultPoints.Hit("ceph.chain.base.created");
            }
            else if (!pool.ImageExists(baseName))
            {
                throw new CinderBackupException(ErrorIds.BackupFailed, ErrorKind.NotFound,
                    $"Backup RBD operation failed: the base image '{request.Container}/{baseName}' of parent backup {request.ParentId} does not exist.", backupId);
            }
            long written, zeroed, shipped;
            using (var image = pool.OpenImage(baseName))
            {
                var imageSize = image.Size;
                var total = (imageSize + block - 1) / block;
                if (source.Length > imageSize)
                {
                    throw new CinderBackupException(ErrorIds.InvalidBackup, ErrorKind.InvalidState,
                        "Invalid backup: Volume size increased since the last backup. Do a full backup.", backupId);
                }
                List<(long Start, long End)> extents;
                if (fresh)
                {
                    CephTransfer.FillZero(hashes, 0, total, block);
                    extents = CephTransfer.Union(block, imageSize, source.Runs(0, source.Length, block).Where(r => !r.Hole).Select(r => (r.Start, r.End)));
                }
                else
                {
                    var parentSnapshot = SnapshotOf(image, request.ParentId!)
                        ?? throw new CinderBackupException(ErrorIds.BackupFailed, ErrorKind.NotFound,
                            $"Backup RBD operation failed: Can't find snapshot from parent {request.ParentId} and base name image {baseName}.", backupId);
                    var parent = request.ParentHashes ?? throw new InvalidOperationException("An incremental needs its parent's hashes.");
                    if (parent.Count != total)
                    {
                        throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                            $"Backup {request.ParentId}: its hash list has {parent.Count} blocks, but its base image '{baseName}' has {total}.", request.ParentId!);
                    }
                    CopyHashes(parent, hashes, total);
                    // What the base's head holds beyond the parent's snapshot (a failed or deleted later backup's data) is
                    // shipped again too, so the new snapshot is the source's, whatever the head held before.
                    var drift = image.Diff(parentSnapshot, 0, imageSize).Select(e => (e.Offset, e.Offset + e.Length));
                    var changed = source.KnowsChanges
                        ? source.ChangedIn(0, source.Length)
                        // The parent's source snapshot went meanwhile: everything either side holds is read.
                        : source.Runs(0, source.Length, block).Where(r => !r.Hole).Select(r => (r.Start, r.End))
                            .Concat(image.Diff(null, 0, imageSize).Where(e => e.Exists).Select(e => (e.Offset, e.Offset + e.Length))).ToList();
                    extents = CephTransfer.Union(block, imageSize, changed, drift);
                }
                shipped = extents.Sum(e => e.End - e.Start);
                (written, zeroed) = CephTransfer.Ship(source, image, fresh, extents, imageSize, block, CephTransfer.Piece(_definition.CephChunkSize, block),
                    hashes, request.Workers, request.Throttle, request.Progress);
                hashes.Count = total;
                image.Flush();
                FaultPoints.Hit("ceph.backup.data.written");
                image.CreateSnapshot(snapshotName);
            }
            FaultPoints.Hit("ceph.backup.snapshot.created");
            var (metaDigest, hashDigest) = Commit(pool, request, hashes);
            return new BackupWriteResult(0, written, source.Length, written + zeroed)
            {
                MetadataSha256 = metaDigest,
                Sha256FileSha256 = hashDigest,
                BytesRead = source.BytesRead,
            };
        }));
    }

    private static void CopyHashes(HashFile from, HashFile to, long count)
    {
        var batch = new byte[4096 * HashFile.HashSize];
        for (var k = 0L; k < count; k += 4096)
        {
            var n = (int)Math.Min(4096, count - k);
            from.Read(k, batch.AsSpan(0, n * HashFile.HashSize));
            to.Write(k, batch.AsSpan(0, n * HashFile.HashSize));
        }
    }

    /// <summary>The backup snapshot of <paramref name="backupId"/> on an image (Cinder's _get_backup_snap_name); null when there is none.</summary>
    private static string? SnapshotOf(RbdImage image, string backupId)
    {
        var snaps = image.Snapshots().Where(s => CephNames.SnapshotBackupId(s.Name) == backupId).ToList();
        if (snaps.Count > 1)
        {
            throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                $"Backup should only have one snapshot but instead has {snaps.Count}", backupId);
        }
        return snaps.FirstOrDefault()?.Name;
    }

    /// <summary>Whether a backup's snapshot is on its base image (an incremental of it can be made there).</summary>
    public bool HasChainPoint(BackupRow backup) => backup.Container is { } pool && CephNames.BaseOf(backup.ServiceMetadata) is { } image
        && Guarded(backup.Id, () => WithPool(pool, p =>
        {
            if (!p.ImageExists(image))
            {
                return false;
            }
            using var img = p.OpenImage(image, readOnly: true);
            return SnapshotOf(img, backup.Id) is not null;
        }));

    /// <summary>The hash list, then the meta object last: the commit point. Returns their SHA-256s.</summary>
    private static (string Meta, string Hashes) Commit(RadosPool pool, BackupWriteRequest request, HashFile hashes)
    {
        var backupId = request.Header.BackupId;
        string hashDigest;
        using (var stream = CephHashList.Create(pool, backupId))
        using (var digest = DigestStream.ForWriting(stream))
        {
            var writer = new Sha256DocumentWriter(digest, request.Header, request.ShaBlockSize, hashes.Count);
            writer.AppendFrom(hashes, 0, hashes.Count);
            writer.Finish();
            digest.Flush();
            hashDigest = digest.Finish();
        }
        FaultPoints.Hit("backup.sha256file.staged");
        var meta = Encoding.UTF8.GetBytes(request.VolumeMeta() ?? "");
        if (pool.ObjectSize(CephNames.Meta(backupId)) is not null)
        {
            throw new CinderBackupException(ErrorIds.BackupFailed, ErrorKind.Conflict,
                $"Failed to backup volume metadata - Metadata backup object '{CephNames.Meta(backupId)}' already exists", backupId);
        }
        FaultPoints.Hit("backup.metadata.staged");
        pool.WriteObject(CephNames.Meta(backupId), meta);
        FaultPoints.Hit("backup.metadata.committed");
        return (Convert.ToHexString(SHA256.HashData(meta)).ToLowerInvariant(), hashDigest);
    }

    public void RemoveBackup(string container, string prefix, string backupId) => DeleteBackup(container, prefix, backupId, () => { });

    /// <summary>Nothing is staged outside a backup's own image and objects.</summary>
    public void RemoveStaged(string container, string backupId)
    {
    }

    /// <summary>
    /// As Cinder's delete_backup: the backup's snapshot on its base image, the image once no backup snapshot is left,
    /// then its meta object (and our hash list). Missing pieces are not an error (Cinder: "finished with warning").
    /// </summary>
    public void DeleteBackup(string container, string prefix, string backupId, Action progress) => Guarded<bool>(backupId, () => WithPool(container, pool =>
    {
        var image = ImageOf(pool, prefix, backupId); // Cinder's non-RBD fulls record no service_metadata
        if (image is not null && pool.ImageExists(image))
        {
            int remaining;
            var own = image.EndsWith(".backup." + backupId, StringComparison.Ordinal);
            using (var img = pool.OpenImage(image))
            {
                foreach (var s in img.Snapshots().Where(s => CephNames.SnapshotBackupId(s.Name) == backupId))
                {
                    img.RemoveSnapshot(s.Name);
                    own = true;
                    FaultPoints.Hit("delete.object");
                    progress();
                }
                remaining = img.Snapshots().Count(s => CephNames.SnapshotBackupId(s.Name) is not null);
            }
            // As Cinder: the base goes with its last backup snapshot; never an image this backup had no part in.
            if (remaining == 0 && own)
            {
                pool.RemoveImage(image);
                FaultPoints.Hit("delete.object");
                progress();
            }
        }
        CephHashList.Remove(pool, backupId);
        progress();
        pool.RemoveObject(CephNames.Meta(backupId));
        FaultPoints.Hit("delete.object");
        progress();
        return true;
    }));

    public string? FindPrefix(string container, string volumeId, string backupId) =>
        Guarded(backupId, () => WithPool(container, p => p.ImageExists(CephNames.Image(volumeId, backupId)) ? CephNames.ServiceMetadata(CephNames.Image(volumeId, backupId)) : null));

    public bool HasCommitPoint(string container, string prefix, string backupId) => Guarded(container, () =>
    {
        if (!WithCluster(c => c.PoolExists(container)))
        {
            throw new CinderBackupException(ErrorIds.ContainerNotFound, ErrorKind.NotFound, $"Pool '{container}' does not exist.", container);
        }
        return WithPool(container, p => p.ObjectSize(CephNames.Meta(backupId)) is not null && ImageOf(p, prefix, backupId) is { } image && p.ImageExists(image));
    });

    public ChainLayer LoadLayer(ChainLink link) => Guarded(link.BackupId, () => WithPool(link.Container, pool =>
    {
        var image = ImageOf(pool, link.Prefix, link.BackupId)
            ?? throw Missing(link.BackupId, $"its service_metadata '{PrintableText.Brief(link.Prefix)}' names no backup image");
        if (!pool.ImageExists(image))
        {
            throw Missing(link.BackupId, $"image '{link.Container}/{image}' does not exist");
        }
        string? snapshot;
        long size;
        using (var img = pool.OpenImage(image, readOnly: true))
        {
            snapshot = SnapshotOf(img, link.BackupId);
            size = img.Snapshots().FirstOrDefault(s => s.Name == snapshot)?.Size ?? img.Size;
            if (snapshot is null && img.Snapshots().Any(s => CephNames.SnapshotBackupId(s.Name) is not null))
            {
                throw Missing(link.BackupId, $"image '{link.Container}/{image}' has no snapshot of this backup");
            }
        }
        var meta = pool.ReadObject(CephNames.Meta(link.BackupId), 64L << 20);
        if (link.MetadataSha256 is not null && (meta is null || !Convert.ToHexString(SHA256.HashData(meta)).Equals(link.MetadataSha256, StringComparison.OrdinalIgnoreCase)))
        {
            throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                $"Backup {link.BackupId}: its object '{CephNames.Meta(link.BackupId)}' {(meta is null ? "is missing" : "does not match the SHA-256 recorded when it was written; it was changed or damaged")}.", link.BackupId);
        }
        var hasHashes = CephHashList.Exists(pool, link.BackupId);
        if (!hasHashes && link.Sha256FileSha256 is not null)
        {
            throw Missing(link.BackupId, $"its hash list '{CephNames.Hashes(link.BackupId)}' is missing");
        }
        var document = new MetadataDocument
        {
            BackupId = link.BackupId,
            VolumeId = CephNames.VolumeOf(image) ?? "",
            ParentId = link.CatalogParent, // Ceph's documents record no parent: a chain is snapshots of one image
            VolumeMeta = meta is { Length: > 0 } ? Encoding.UTF8.GetString(meta) : null,
        };
        return new ChainLayer(link.BackupId, null, link.Container, link.Prefix, document)
        {
            Sha256FileSha256 = link.Sha256FileSha256,
            Opaque = new CephLayer(link.Container, image, snapshot, size, hasHashes),
        };
    }));

    public string? CheckComplete(ChainLayer layer, string tempDirectory)
    {
        var c = Of(layer);
        if (c.Snapshot is null)
        {
            return $"image '{c.Pool}/{c.Image}' has no snapshot of backup {layer.BackupId}";
        }
        if (!c.HasHashes)
        {
            return $"its hash list '{CephNames.Hashes(layer.BackupId)}' is missing";
        }
        using var hashes = HashFile.Create(tempDirectory);
        var chunk = Guarded(layer.BackupId, () => WithPool(c.Pool, p => ReadHashes(p, layer.BackupId, layer.Sha256FileSha256, hashes)));
        return hashes.Count * chunk < c.Size ? $"its hash list covers {hashes.Count * chunk} bytes, less than its image ({c.Size})" : null;
    }

    public string DocumentDigest(ChainLayer layer, bool metadata) => Guarded(layer.BackupId, () => WithPool(Of(layer).Pool, p =>
    {
        // Streamed: a hash list grows with the volume (about 2.3 MB per GiB).
        using var stream = metadata ? RadosObjectStream.OpenRead(p, CephNames.Meta(layer.BackupId)) : CephHashList.OpenRead(p, layer.BackupId);
        using var digest = DigestStream.ForReading(stream);
        digest.CopyTo(Stream.Null);
        return digest.Finish();
    }));

    public RestoreResult Restore(RestoreRequest request)
    {
        var layer = OneImage(request.Chain);
        var c = Of(layer);
        return Guarded(layer.BackupId, () => WithPool(c.Pool, pool =>
        {
            using var hashes = c.HasHashes ? HashFile.Create(request.TempDirectory) : null;
            var block = hashes is null ? _definition.ShaBlockSize : ReadHashes(pool, layer.BackupId, layer.Sha256FileSha256, hashes);
            using var image = pool.OpenImage(c.Image, c.Snapshot, readOnly: true);
            if (RbdLocation.Is(request.TargetPath))
            {
                return RestoreToRbd(request, layer, c, image, hashes, block);
            }
            using var target = CephTransfer.OpenTarget(request.TargetPath, request.TargetIdentity);
            var deviceSize = Native.LibC.BlockDeviceSize(target);
            var capacity = deviceSize ?? RandomAccess.GetLength(target);
            if (capacity < c.Size && request.MayGrowTarget && deviceSize is null)
            {
                RandomAccess.SetLength(target, c.Size);
                capacity = c.Size;
            }
            // A target smaller than the image (a registered file): what lies past its end must be zeros in the backup.
            var length = Math.Min(c.Size, (capacity + block - 1) / block * block);
            if (length < c.Size && image.Diff(null, length, c.Size - length).Any(e => e.Exists)
                && (hashes is null || !TailIsZero(hashes, length / block, block)))
            {
                throw new CinderBackupException(ErrorIds.VolumeTooSmall, ErrorKind.InvalidArgument,
                    $"The target '{request.TargetPath}' holds {capacity} bytes; backup {layer.BackupId} has data past that (its image is {c.Size} bytes).", request.TargetPath);
            }
            long written = 0;
            var what = $"Backup {layer.BackupId} (image '{c.Pool}/{c.Image}'{(c.Snapshot is null ? "" : "@" + c.Snapshot)})";
            CephTransfer.Read(image, length, block, CephTransfer.Piece(_definition.CephChunkSize, block), hashes, what, request.Workers,
                (offset, data, zero) =>
                {
                    var n = (int)Math.Min(data.Length, capacity - offset);
                    if (n < data.Length && !ZeroData.IsZero(data.Span[n..]))
                    {
                        throw new CinderBackupException(ErrorIds.VolumeTooSmall, ErrorKind.InvalidArgument,
                            $"The target '{request.TargetPath}' holds {capacity} bytes; backup {layer.BackupId} has data at {offset + n}.", request.TargetPath);
                    }
                    if (n <= 0 || (zero && request.TargetIsNew))
                    {
                        return;
                    }
                    if (zero && deviceSize is null && Native.LibC.TryPunchHole(target, offset, n))
                    {
                        return;
                    }
                    RandomAccess.Write(target, data.Span[..n], offset);
                    Interlocked.Add(ref written, n);
                    FaultPoints.Hit("restore.write");
                },
                request.Throttle, request.Progress, CancellationToken.None); // Cinder's Ceph restores cannot be cancelled
            FaultPoints.Hit("restore.object.written");
            (long Bytes, RangeZeroer.Method Method)? excess = null;
            if (request.DiscardExcess && !request.TargetIsNew && capacity > c.Size)
            {
                FaultPoints.Hit("restore.excess");
                excess = (capacity - c.Size, RangeZeroer.Zero(target, deviceSize is not null, c.Size, capacity, () => FaultPoints.Hit("restore.excess.write")));
                FaultPoints.Hit("restore.excess.zeroed");
            }
            RandomAccess.FlushToDisk(target);
            FaultPoints.Hit("restore.flushed");
            return new RestoreResult(Math.Min(c.Size, capacity), written, 1, 0) { ExcessZeroed = excess?.Bytes ?? 0, ExcessMethod = excess?.Method };
        }));
    }

    /// <summary>
    /// Into an RBD volume (Cinder's full restore; its diff restore needs `rbd import-diff`): data written, zero pieces not
    /// written to a new image and zeroed (rbd_write_zeroes) on an existing one, the excess zeroed, a flush at the end.
    /// </summary>
    private RestoreResult RestoreToRbd(RestoreRequest request, ChainLayer layer, CephLayer c, RbdImage source, HashFile? hashes, long block)
    {
        var at = RbdLocation.FromPath(request.TargetPath);
        var access = request.Rbd ?? throw new InvalidOperationException("An RBD target needs its cluster access.");
        var (cluster, pool) = access.OpenPool(at.Pool);
        using (cluster)
        using (pool)
        using (var target = pool.OpenImage(at.Image))
        {
            var capacity = target.Size;
            if (capacity < c.Size && request.MayGrowTarget)
            {
                target.Resize(c.Size);
                capacity = c.Size;
            }
            var length = Math.Min(c.Size, (capacity + block - 1) / block * block);
            if (length < c.Size && source.Diff(null, length, c.Size - length).Any(e => e.Exists)
                && (hashes is null || !TailIsZero(hashes, length / block, block)))
            {
                throw new CinderBackupException(ErrorIds.VolumeTooSmall, ErrorKind.InvalidArgument,
                    $"The target RBD image '{at}' holds {capacity} bytes; backup {layer.BackupId} has data past that (its image is {c.Size} bytes).", request.TargetPath);
            }
            long written = 0;
            CephTransfer.Read(source, length, block, CephTransfer.Piece(_definition.CephChunkSize, block), hashes,
                $"Backup {layer.BackupId} (image '{c.Pool}/{c.Image}'{(c.Snapshot is null ? "" : "@" + c.Snapshot)})", request.Workers,
                (offset, data, zero) =>
                {
                    var n = (int)Math.Min(data.Length, capacity - offset);
                    if (n <= 0 || (zero && request.TargetIsNew))
                    {
                        return;
                    }
                    if (zero)
                    {
                        target.WriteZeroes(offset, n);
                        return;
                    }
                    target.Write(offset, data.Span[..n]);
                    Interlocked.Add(ref written, n);
                    FaultPoints.Hit("restore.write");
                },
                request.Throttle, request.Progress, CancellationToken.None);
            long excess = 0;
            if (request.DiscardExcess && !request.TargetIsNew && capacity > c.Size)
            {
                FaultPoints.Hit("restore.excess");
                target.WriteZeroes(c.Size, capacity - c.Size);
                excess = capacity - c.Size;
            }
            target.Flush();
            FaultPoints.Hit("restore.flushed");
            return new RestoreResult(Math.Min(c.Size, capacity), written, 1, 0) { ExcessZeroed = excess, ExcessMethod = excess > 0 ? RangeZeroer.Method.ZeroOut : null };
        }
    }

    public ChainVerifier.Outcome Verify(IReadOnlyList<ChainLayer> chain, bool deep, string tempDirectory, int workers,
        IProgress<TransferProgress>? progress, CancellationToken cancel, int objectsInFlight)
    {
        var layer = OneImage(chain);
        var c = Of(layer);
        return Guarded(layer.BackupId, () => WithPool(c.Pool, pool =>
        {
            using var hashes = c.HasHashes ? HashFile.Create(tempDirectory) : null;
            var block = hashes is null ? _definition.ShaBlockSize : ReadHashes(pool, layer.BackupId, layer.Sha256FileSha256, hashes);
            if (hashes is not null && hashes.Count * block < c.Size)
            {
                throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                    $"Backup {layer.BackupId}: its hash list covers {hashes.Count * block} bytes, less than its image ({c.Size}).", layer.BackupId);
            }
            if (!deep)
            {
                return new ChainVerifier.Outcome(1, 0, 0, c.Size);
            }
            using var image = pool.OpenImage(c.Image, c.Snapshot, readOnly: true);
            var read = CephTransfer.Read(image, c.Size, block, CephTransfer.Piece(_definition.CephChunkSize, block), hashes,
                $"Backup {layer.BackupId} (image '{c.Pool}/{c.Image}'{(c.Snapshot is null ? "" : "@" + c.Snapshot)})", workers, null, null, progress, cancel);
            return new ChainVerifier.Outcome(1, 0, read, c.Size);
        }));
    }

    public int CheckImported(BackupRow row)
    {
        if (row.Container is null)
        {
            throw new CinderBackupException(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData,
                $"Backup {row.Id}: the record names no pool (container), so the repository cannot hold its data.", row.Id);
        }
        LoadLayer(new ChainLink(row.Id, row.Container, row.ServiceMetadata ?? ""));
        return 0;
    }

    public IEnumerable<DiscoveredRow> Discover(string? container) =>
        throw new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.NotSupported,
            $"Repository '{Repository}' is a Ceph repository: its backups cannot be discovered from the pool (Cinder keeps their records only in its database); import their records instead.", Repository);

    /// <summary>The backup's image: the one its service_metadata names, else Cinder's non-RBD name for it.</summary>
    private static string? ImageOf(RadosPool pool, string prefix, string backupId)
    {
        if (CephNames.BaseOf(prefix) is { } named)
        {
            return named;
        }
        // Cinder's non-RBD full backups record no service_metadata: their image is volume-<vid>.backup.<bid>.
        var suffix = ".backup." + backupId;
        return pool.ListImages().FirstOrDefault(i => i.EndsWith(suffix, StringComparison.Ordinal) && CephNames.VolumeOf(i) is not null);
    }

    private static bool TailIsZero(HashFile hashes, long firstBlock, long block)
    {
        var zero = ZeroData.Sha256(block);
        var digest = new byte[HashFile.HashSize];
        for (var k = firstBlock; k < hashes.Count; k++)
        {
            hashes.Read(k, digest);
            if (!digest.AsSpan().SequenceEqual(zero))
            {
                return false;
            }
        }
        return true;
    }

    private static long ReadHashes(RadosPool pool, string backupId, string? expectedDigest, HashFile into)
    {
        var name = CephNames.Hashes(backupId);
        if (!CephHashList.Exists(pool, backupId))
        {
            throw Missing(backupId, $"its hash list '{name}' is missing");
        }
        using var stream = CephHashList.OpenRead(pool, backupId);
        using var digest = DigestStream.ForReading(stream);
        var chunk = Sha256Document.Read(digest, name, into).ChunkSize;
        if (expectedDigest is not null && !string.Equals(digest.Finish(), expectedDigest, StringComparison.OrdinalIgnoreCase))
        {
            throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                $"Backup {backupId}: its object '{name}' does not match the SHA-256 recorded when it was written; it was changed or damaged.", name);
        }
        return chunk;
    }

    /// <summary>
    /// The requested backup (newest first) of a chain that is one base image: backup N is the base at snapshot N, so
    /// its parents are not read; each must be a snapshot of the same image, or the chain is not one of ours.
    /// </summary>
    private static ChainLayer OneImage(IReadOnlyList<ChainLayer> chain)
    {
        var newest = Of(chain[0]);
        foreach (var older in chain.Skip(1))
        {
            var o = Of(older);
            if (o.Pool != newest.Pool || o.Image != newest.Image || o.Snapshot is null || newest.Snapshot is null)
            {
                throw new CinderBackupException(ErrorIds.BackupChainBroken, ErrorKind.NotSupported,
                    $"Backup {chain[0].BackupId}: a Ceph incremental is a snapshot of its parent's base image, but backup {older.BackupId} is {(o.Snapshot is null ? "not a snapshot" : $"on image '{o.Pool}/{o.Image}'")} and this one {(newest.Snapshot is null ? "is not a snapshot" : $"on '{newest.Pool}/{newest.Image}'")}; this chain is not one of ours.",
                    chain[0].BackupId);
            }
        }
        return chain[0];
    }

    private static CephLayer Of(ChainLayer layer) => layer.Opaque as CephLayer
        ?? throw new InvalidOperationException($"Backup {layer.BackupId} was not loaded from a Ceph repository.");

    private static CinderBackupException Missing(string backupId, string what) =>
        new(ErrorIds.BackupObjectMissing, ErrorKind.NotFound, $"Backup {backupId}: {what}.", backupId);

    /// <summary>The cluster connection for one call: shared and shut down when idle (<see cref="CephConnections"/>), never kept by the repository.</summary>
    private CephConnections.Lease Connect()
    {
        try
        {
            return CephConnections.Acquire(_definition.CephConf, _definition.CephUser, () => RadosCluster.Connect(_definition.CephConf, _definition.CephUser));
        }
        catch (Exception e) when (e is CephException or DllNotFoundException or EntryPointNotFoundException)
        {
            throw new CinderBackupException(ErrorIds.RepositoryUnavailable, ErrorKind.IOError,
                $"Repository '{Repository}': {(e is CephException ? e.Message : $"librados/librbd cannot be loaded ({e.Message}); install librados2 and librbd1")}.", Repository, e);
        }
    }

    private T WithCluster<T>(Func<RadosCluster, T> work)
    {
        using var lease = Connect();
        return work(lease.Cluster);
    }

    private T WithPool<T>(string pool, Func<RadosPool, T> work)
    {
        using var lease = Connect();
        RadosPool p;
        try
        {
            p = lease.Cluster.OpenPool(pool);
        }
        catch (CephException e) when (e.NotFound)
        {
            throw new CinderBackupException(ErrorIds.ContainerNotFound, ErrorKind.NotFound,
                $"Repository '{Repository}': pool '{pool}' does not exist in the Ceph cluster of '{_definition.CephConf}'.", pool, e);
        }
        using (p)
        {
            return work(p);
        }
    }

    /// <summary>Turns librados/librbd failures into the engine's errors, naming the repository.</summary>
    private T Guarded<T>(string subject, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (CephException e)
        {
            throw new CinderBackupException(e.Errno is 1 or 13 ? ErrorIds.RepositoryAccessDenied : ErrorIds.RepositoryError,
                e.Errno is 1 or 13 ? ErrorKind.PermissionDenied : ErrorKind.IOError, $"Repository '{Repository}': {e.Message}", subject, e);
        }
    }
}
