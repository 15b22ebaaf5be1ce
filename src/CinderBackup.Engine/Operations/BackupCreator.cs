using CinderBackup.Engine.Backup;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Codecs;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Logging;
using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.Repositories.Ceph;
using CinderBackup.Engine.Restore;
using CinderBackup.Engine.Rules;
using CinderBackup.Engine.Util;
using CinderBackup.Engine.Volumes;

namespace CinderBackup.Engine.Operations;

/// <summary>
/// One backup create, rule for rule as Cinder's API and manager (cinder-reference.md §6.1, §6.2, §3.3): checks,
/// status changes, parent selection, the transfer, and the success, failure and cancel transitions.
/// </summary>
internal sealed class BackupCreator
{
    private readonly EngineSession _engine;
    private readonly IBackupCreateRequest _o;
    private readonly RepositoryResolver _repositories;

    /// <summary>The snapshot an RBD volume's backup reads (made by <see cref="Execute"/>).</summary>
    private RbdLocation? _rbdSnapshot;

    /// <summary>An RBD volume backed up into a Ceph repository: its source snapshots stay, as Cinder keeps them.</summary>
    private bool _cephChain;

    private int _cephMaxSnapshots;

    public BackupCreator(EngineSession engine, IBackupCreateRequest options)
    {
        _engine = engine;
        _o = options;
        _repositories = new RepositoryResolver(engine.Config);
    }

    private BackupContext Context => _engine.Context;

    private string Algorithm => (_o.Compression ?? _engine.Config.CompressionAlgorithm).ToLowerInvariant();

    /// <summary>Validates and records the backup (status creating); the work is done by <see cref="Execute"/>.</summary>
    public BackupRow Prepare()
    {
        InputRules.ValidateText(_o.Name, "name");
        InputRules.ValidateText(_o.Description, "description");
        InputRules.ValidateText(_o.AvailabilityZone, "availability zone");
        InputRules.ValidateMetadata(_o.Metadata);
        if (_o.Compression is not null && !CodecRegistry.IsKnown(_o.Compression))
        {
            throw new CinderBackupException(ErrorIds.UnsupportedCompression, ErrorKind.InvalidArgument,
                $"unsupported compression algorithm: {_o.Compression}", _o.Compression);
        }
        CodecRegistry.Get(Algorithm, _engine.Config.Environment); // a bad CINDERBACKUP_ZSTD fails here, before anything is recorded
        // The volume and snapshot must exist before the repository is asked anything. Checks that read the repository
        // happen before the catalog is locked, never under the lock: the parent is chosen and checked from a read, then
        // chosen again inside the write; if another process changed it meanwhile (a delete, a newer backup), the write is
        // abandoned and everything is checked again for the new parent.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return PrepareOnce();
            }
            catch (ParentChanged) when (attempt < MaxParentAttempts)
            {
                _engine.Detail("The volume's newest backup changed while the incremental backup was being checked; checking again.");
            }
            catch (ParentChanged)
            {
                throw new CinderBackupException(ErrorIds.InvalidBackup, ErrorKind.Conflict,
                    $"Invalid backup: the volume's backups kept changing while the incremental backup was being prepared ({MaxParentAttempts} attempts); try again. Nothing was changed.", _o.Volume);
            }
        }
    }

    private const int MaxParentAttempts = 5;

    /// <summary>Thrown inside the write when the parent is no longer the one checked before it (ends the transaction).</summary>
    private sealed class ParentChanged : Exception
    {
    }

    private BackupRow PrepareOnce()
    {
        var (sourceVolume, sourceSnapshot) = _engine.Catalog.Read(Target);
        if (sourceSnapshot is null)
        {
            RegisteredPaths.CheckInUse(_engine.Config, _engine.Context, _engine.Catalog, sourceVolume); // a registered path must still lead to a file it may read
        }
        else
        {
            VolumeProvenance.CheckSnapshot(_engine.Config, _engine.Catalog, sourceSnapshot.Id, sourceSnapshot.Path);
        }
        var checkedParent = _o.Incremental ? _engine.Catalog.Read(db => SelectParent(db, sourceVolume, sourceSnapshot) is { Status: BackupStatus.Available } p ? p : null) : null;
        var parentId = checkedParent?.Id;
        var repositoryName = _o.Repository ?? (checkedParent is null ? _repositories.DefaultRepositoryName : _repositories.RepositoryOf(checkedParent));
        var store = _repositories.Open(repositoryName);
        if (_o.Container is not null)
        {
            store.ValidateContainer(_o.Container);
        }
        store.CheckWritable(_o.Container);
        if (checkedParent is not null)
        {
            CheckSameRepository(checkedParent, repositoryName);
            CheckParentHashBlock(checkedParent, repositoryName);
        }
        var fullInstead = checkedParent is not null && sourceSnapshot is null && store is CephRepository ceph
            && VolumeBackend.IsRbd(sourceVolume.Backend) && ChainPointGone(ceph, sourceVolume, checkedParent);

        return _engine.Catalog.Write(db =>
        {
            var (volume, snapshot) = Target(db);
            if (snapshot is not null)
            {
                if (snapshot.VolumeId != volume.Id)
                {
                    throw Invalid(ErrorIds.VolumeInvalidState, $"Invalid volume: Volume {volume.Id} does not match with snapshot.volume_id {snapshot.VolumeId}.", volume.Id);
                }
                if (snapshot.Status != SnapshotStatus.Available)
                {
                    throw Invalid(ErrorIds.SnapshotInvalidState, $"Invalid snapshot: Snapshot to be backed up must be available, but the current status is \"{snapshot.Status}\".", snapshot.Id);
                }
            }
            else
            {
                if (volume.Status is not (VolumeStatus.Available or VolumeStatus.InUse))
                {
                    throw Invalid(ErrorIds.VolumeInvalidState, $"Invalid volume: Volume to be backed up must be available or in-use, but the current status is \"{volume.Status}\".", volume.Id);
                }
                if (volume.Status == VolumeStatus.InUse && !_o.Force)
                {
                    throw Invalid(ErrorIds.VolumeInUse, "Invalid volume: Backing up an in-use volume must use the force flag.", volume.Id);
                }
            }

            BackupRow? parent = null;
            if (_o.Incremental)
            {
                parent = SelectParent(db, volume, snapshot);
                if (parent is null || parent.Status != BackupStatus.Available)
                {
                    throw Invalid(ErrorIds.InvalidBackup, "Invalid backup: No backups available to do an incremental backup.", volume.Id);
                }
                if (parent.Id != parentId)
                {
                    throw new ParentChanged(); // its checks read the repository: not under the write lock
                }
                if (fullInstead)
                {
                    parent = null; // as Cinder: the parent's snapshot is gone, so this backup starts a new base image
                }
                else if (volume.Size > (parent.Size ?? 0))
                {
                    throw Invalid(ErrorIds.InvalidBackup, "Invalid backup: Volume size increased since the last backup. Do a full backup.", volume.Id);
                }
            }

            var quota = new QuotaEngine(_engine.Config);
            var reservation = quota.ReserveBackup(db, Context.ProjectName, volume.Size);

            if (snapshot is not null)
            {
                if (!SnapshotTable.ConditionalStatus(db, snapshot.Id, new[] { SnapshotStatus.Available }, SnapshotStatus.BackingUp))
                {
                    throw Invalid(ErrorIds.SnapshotInvalidState, $"Invalid snapshot: Snapshot to be backed up must be available, but the current status is \"{snapshot.Status}\".", snapshot.Id);
                }
            }
            else if (!VolumeTable.ConditionalStatus(db, volume.Id, new[] { VolumeStatus.Available, VolumeStatus.InUse }, VolumeStatus.BackingUp, savePrevious: true))
            {
                throw Invalid(ErrorIds.VolumeInvalidState, $"Invalid volume: Volume to be backed up must be available or in-use, but the current status is \"{volume.Status}\".", volume.Id);
            }

            var now = Clock.UtcNow;
            var row = new BackupRow
            {
                Id = Guid.NewGuid().ToString(),
                UserId = Context.UserName,
                ProjectId = Context.ProjectName,
                VolumeId = volume.Id,
                Host = _engine.Config.Host,
                AvailabilityZone = _o.AvailabilityZone ?? _engine.Config.AvailabilityZone,
                Container = _o.Container,
                ParentId = parent?.Id,
                Status = BackupStatus.Creating,
                Size = volume.Size,
                DisplayName = _o.Name,
                DisplayDescription = _o.Description,
                Service = store.ServiceName,
                SnapshotId = snapshot?.Id,
                DataTimestamp = snapshot?.CreatedAtUtc ?? now,
                CreatedAt = now,
                UpdatedAt = now,
                Repository = repositoryName,
                Driver = store.Driver,
                Operation = "create",
                OwnerHost = _engine.Config.Host,
                OwnerPid = Environment.ProcessId,
                OwnerStartedAt = now,
                HeartbeatAt = now,
                Metadata = _o.Metadata is null ? new(StringComparer.Ordinal) : new Dictionary<string, string>(_o.Metadata, StringComparer.Ordinal),
                Compression = Algorithm,
            };
            BackupTable.Insert(db, row);
            quota.Commit(db, reservation);
            _engine.Detail(parent is null
                ? $"Backup {row.Id}: full backup of volume {volume.Id}{(snapshot is null ? "" : $" from snapshot {snapshot.Id}")}."
                : $"Backup {row.Id}: incremental backup of volume {volume.Id}; parent {parent.Id} (data timestamp {parent.DataTimestamp:o}).");
            EventLog.Write(_engine.Config, "backup.create.start", row);
            return row;
        });
    }

    /// <summary>
    /// An RBD volume's incremental into a Ceph repository needs the parent's snapshot on the source (to diff from) and on
    /// its base image (to add to); when either is gone, the backup becomes a full one, as Cinder's Ceph driver does.
    /// </summary>
    private bool ChainPointGone(CephRepository ceph, BlockVolume volume, BackupRow parent)
    {
        var image = RbdLocation.FromPath(volume.Path);
        var onSource = RbdAccess.From(_engine.Config).Snapshots(image).Any(n => RbdAccess.IsBackupSnapshotOf(n, parent.Id));
        var onBase = onSource && ceph.HasChainPoint(parent);
        if (onSource && onBase)
        {
            return false;
        }
        _engine.Detail($"The snapshot of parent backup {parent.Id} is no longer on {(onSource ? $"its base image ({parent.ServiceMetadata})" : $"RBD image '{image}'")}: as Cinder's Ceph driver does, this backup is a full backup into a new base image.");
        return true;
    }

    /// <summary>Runs the transfer and applies the success, failure or cancel transition.</summary>
    public VolumeBackup Execute(BackupRow row)
    {
        IBackupRepository store;
        Config.RepositoryDefinition repository;
        try
        {
            store = _repositories.ForBackup(row);
            repository = _repositories.Definition(_repositories.RepositoryOf(row));
        }
        catch (CinderBackupException e)
        {
            // The repository is gone (e.g. unconfigured or unmountable since the backup was recorded).
            Fail(row, null, null, e.Message);
            throw new CinderBackupException(ErrorIds.BackupFailed, e.Kind, $"Backup {row.Id} failed: {e.Message}", row.Id, e);
        }
        var volume = _engine.Catalog.Read(db => VolumeTable.Get(db, row.VolumeId))
            ?? throw new CinderBackupException(ErrorIds.VolumeNotFound, ErrorKind.NotFound, $"Volume {row.VolumeId} could not be found.", row.VolumeId);
        VolumeSnapshot? tempSnapshot = null;
        var lastEvent = Environment.TickCount64;
        var me = OperationOwner.Current(_engine.Config.Host);
        using var monitor = new OperationMonitor(_engine.Config, row.Id,
            status => status is BackupStatus.Deleting or BackupStatus.Deleted, _o.Progress, _o.Cancel,
            onTick: (db, p) =>
            {
                if (Environment.TickCount64 - lastEvent >= ProgressEventIntervalMs)
                {
                    lastEvent = Environment.TickCount64;
                    EventLog.Write(_engine.Config, "backup.createprogress", row, extra: ProgressFields(p));
                }
            }, owner: me);
        try
        {
            // Container and prefix are saved before any object is written (a crash leaves them findable), with the
            // repository's identity (its marker, written by the first backup) and where it is now.
            var place = store.Place(row.Id, row.VolumeId, row.Container, Clock.UtcNow, _engine.Config.AvailabilityZone);
            if (store is CephRepository && VolumeBackend.IsRbd(volume.Backend) && row.SnapshotId is null)
            {
                (_cephChain, _cephMaxSnapshots) = (true, repository.CephMaxSnapshots);
                if (row.ParentId is not null && _engine.Catalog.Read(db => BackupTable.Get(db, row.ParentId))?.ServiceMetadata is { } parentBase)
                {
                    place = place with { Prefix = parentBase }; // an incremental is a snapshot on its parent's base image
                }
            }
            (row.Container, row.ServiceMetadata, row.RepositoryId, row.RepositoryLocation) = (place.Container, place.Prefix, place.RepositoryId, place.RepositoryLocation);
            _engine.Catalog.Write(db => BackupTable.SetLocation(db, row.Id, row.Container, row.ServiceMetadata, row.RepositoryId, row.RepositoryLocation));
            monitor.CheckNow();
            monitor.Token.ThrowIfCancellationRequested();
            _engine.Detail($"Backup {row.Id}: repository {store.Location}, container '{row.Container}', prefix '{row.ServiceMetadata}'.");
            FaultPoints.Hit("backup.prepared");

            string sourcePath;
            Native.FileIdentity? sourceIdentity = null;
            string? diffFrom = null;
            if (row.SnapshotId is not null)
            {
                sourcePath = _engine.Catalog.Read(db => SnapshotTable.Get(db, row.SnapshotId))!.Path;
                VolumeProvenance.CheckSnapshot(_engine.Config, _engine.Catalog, row.SnapshotId, sourcePath);
            }
            else if (VolumeBackend.IsRbd(volume.Backend))
            {
                // An RBD volume, in use or not, is read from a snapshot of its own (crash-consistent), kept after the
                // backup so that the next incremental reads only what changed since (rbd_diff_iterate2).
                var image = RbdLocation.FromPath(volume.Path);
                var access = RbdAccess.From(_engine.Config);
                var name = RbdAccess.BackupSnapshotName(row.Id, Clock.UtcNow);
                access.CreateSnapshot(image, name);
                _rbdSnapshot = image.At(name);
                FaultPoints.Hit("backup.rbd.snapshot");
                sourcePath = _rbdSnapshot.Path;
                if (row.ParentId is not null)
                {
                    diffFrom = access.Snapshots(image).FirstOrDefault(n => RbdAccess.IsBackupSnapshotOf(n, row.ParentId));
                    _engine.Detail(diffFrom is null
                        ? $"Backup {row.Id}: the snapshot of parent backup {row.ParentId} is no longer on RBD image '{image}'; every block is read and compared (a full read)."
                        : $"Backup {row.Id}: reading only the extents of '{image}' changed since snapshot '{diffFrom}'.");
                }
            }
            else if (volume.PreviousStatus == VolumeStatus.InUse)
            {
                // In-use volumes are read from a temporary snapshot, giving a crash-consistent backup while the volume stays in use.
                tempSnapshot = TemporarySnapshots.Create(_engine, volume, monitor.Token);
                row.TempSnapshotId = tempSnapshot.Id;
                _engine.Catalog.Write(db => BackupTable.SetTempSnapshot(db, row.Id, tempSnapshot.Id));
                sourcePath = tempSnapshot.Path;
            }
            else
            {
                sourcePath = volume.Path;
                sourceIdentity = RegisteredPaths.CheckInUse(_engine.Config, _engine.Context, _engine.Catalog, volume);
            }

            HashFile? parentHashes = null;
            try
            {
                if (row.ParentId is not null)
                {
                    parentHashes = ReadParentHashes(row.ParentId, repository.ShaBlockSize);
                }
                var algorithm = row.Compression ?? Algorithm; // the row's choice, wherever the backup runs
                var request = new BackupWriteRequest
                {
                    Container = row.Container,
                    Prefix = row.ServiceMetadata,
                    Header = new DocumentHeader(row.Id, row.VolumeId, row.DisplayName, row.DisplayDescription, DocumentHeader.PythonTimestamp(row.CreatedAt)),
                    ParentId = row.ParentId,
                    ParentHashes = parentHashes,
                    SourcePath = sourcePath,
                    SourceIdentity = sourceIdentity,
                    Rbd = RbdLocation.Is(sourcePath) ? RbdAccess.From(_engine.Config) : null,
                    RbdDiffFrom = diffFrom,
                    Codec = CodecRegistry.Get(algorithm, _engine.Config.Environment),
                    Level = _engine.Config.CompressionLevel,
                    ObjectSize = repository.ObjectSize,
                    ShaBlockSize = repository.ShaBlockSize,
                    Workers = _engine.Config.BackupWorkers,
                    ObjectsInFlight = TransferDefaults.ObjectsInFlight(_engine.Config, algorithm),
                    TempDirectory = _engine.Config.TempDirectory,
                    StageTag = row.Id,
                    VolumeMeta = () => VolumeMetaDocument.Build(_engine.Catalog.Read(db => VolumeTable.Get(db, row.VolumeId)) ?? volume, VolumeStatus.BackingUp),
                    Throttle = _engine.Config.IoBandwidthLimit > 0 ? new IoThrottle(_engine.Config.IoBandwidthLimit) : null,
                    Progress = monitor.Progress,
                    Cancel = monitor.Token,
                };
                _engine.Detail($"Backup {row.Id}: reading '{sourcePath}', compression {algorithm}, objects of {_engine.Config.BackupFileSize} bytes, {_engine.Config.BackupWorkers} workers.");
                if (store.Driver == "ceph" && algorithm is not ("none" or "off" or "no"))
                {
                    _engine.Detail($"Backup {row.Id}: compression '{algorithm}' is ignored: Ceph repositories store backups as RBD images, uncompressed (as Cinder's Ceph driver does).");
                }
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var result = store.Write(request);
                row.DurationMs = (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                _engine.Detail($"Backup {row.Id}: {result.ObjectCount} objects, {result.BytesInObjects} bytes of volume in objects, {result.BytesStored} bytes stored.");
                monitor.CheckNow();
                if (monitor.StoppedByStatus)
                {
                    throw new OperationCanceledException();
                }
                return Succeed(row, result, tempSnapshot, me);
            }
            finally
            {
                parentHashes?.Dispose();
            }
        }
        catch (Exception e) when (e is LostClaimException || LostMeanwhile(monitor))
        {
            throw Lost(row, store, me, e as LostClaimException);
        }
        catch (OperationCanceledException) when (monitor.StoppedByStatus)
        {
            Cancelled(row, store, tempSnapshot);
            throw new CinderBackupException(ErrorIds.BackupCancelled, ErrorKind.Cancelled,
                $"Backup {row.Id} was cancelled: its status became {monitor.StopStatus}.", row.Id);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or Stop-Job: the same end state as Cinder's cancel (a force delete) - no backup, nothing stored.
            Cancelled(row, store, tempSnapshot);
            throw new CinderBackupException(ErrorIds.BackupCancelled, ErrorKind.Cancelled, $"Backup {row.Id} was cancelled; nothing was kept.", row.Id);
        }
        catch (Exception e) when (StoppedMeanwhile(monitor))
        {
            // The force delete raced the work (e.g. removed a staging file): it is still a cancel.
            Cancelled(row, store, tempSnapshot);
            throw new CinderBackupException(ErrorIds.BackupCancelled, ErrorKind.Cancelled,
                $"Backup {row.Id} was cancelled: its status became {monitor.StopStatus}.", row.Id, e);
        }
        catch (Exception e)
        {
            var reason = e is CinderBackupException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            Fail(row, store, tempSnapshot, reason);
            throw new CinderBackupException(ErrorIds.BackupFailed, e is CinderBackupException cb ? cb.Kind : ErrorKind.IOError,
                $"Backup {row.Id} failed: {reason}", row.Id, e);
        }
    }

    private static bool LostMeanwhile(OperationMonitor monitor)
    {
        monitor.CheckNow();
        return monitor.LostClaim;
    }

    /// <summary>Thrown inside the engine when a final write finds the operation no longer this process's.</summary>
    private sealed class LostClaimException : Exception
    {
    }

    /// <summary>
    /// This process was judged gone (paused past service_down_time) and a peer took the backup over: the peer's reset or
    /// adoption stands, and nothing of this process's is recorded over it. What this process wrote after a reset is
    /// removed (the peer removed what was there then); an adopted backup's objects are the backup and stay.
    /// </summary>
    private CinderBackupException Lost(BackupRow row, IBackupRepository store, OperationOwner me, LostClaimException? inner)
    {
        var current = _engine.Catalog.Read(db => BackupTable.Get(db, row.Id, includeDeleted: true));
        if (current is { Status: BackupStatus.Error } && row.Container is not null && row.ServiceMetadata is not null
            && current.Container == row.Container && current.ServiceMetadata == row.ServiceMetadata)
        {
            store.RemoveBackup(row.Container, row.ServiceMetadata, row.Id);
        }
        DropRbdSnapshot();
        var now = current is null ? "gone" : $"{current.Status}{(current.OwnerHost is null ? "" : $", owned by pid {current.OwnerPid} on {current.OwnerHost}")}";
        _engine.Detail($"Backup {row.Id}: taken over by a peer while this process (pid {me.Pid} on {me.Host}) was not running; it is now {now}.");
        return new CinderBackupException(ErrorIds.BackupFailed, ErrorKind.InvalidState,
            $"Backup {row.Id} was taken over by another backup service while this process (pid {me.Pid} on {me.Host}) was paused past service_down_time; its clean-up stands (the backup is {now}) and nothing was recorded over it.",
            row.Id, inner);
    }

    private static bool StoppedMeanwhile(OperationMonitor monitor)
    {
        monitor.CheckNow();
        return monitor.StoppedByStatus;
    }

    /// <summary>Seconds between backup.createprogress events (Cinder's timer sends one every 120 s).</summary>
    private const int ProgressEventIntervalMs = 10_000;

    private static IEnumerable<KeyValuePair<string, object?>> ProgressFields(TransferProgress p) => new KeyValuePair<string, object?>[]
    {
        new("backup_percent", Math.Round(p.Percent, 1)),
        new("bytes_done", p.BytesDone),
        new("bytes_total", p.BytesTotal),
        new("objects", p.Objects),
    };

    private (BlockVolume Volume, VolumeSnapshot? Snapshot) Target(Db db)
    {
        var volume = Lookup.Volume(db, Context, _o.Volume);
        var snapshot = _o.Snapshot is null ? null : Lookup.Snapshot(db, Context, _o.Snapshot);
        return (volume, snapshot);
    }

    /// <summary>
    /// Cinder's parent selection (api.py:269): among the volume's backups in the caller's project, the greatest
    /// data_timestamp of those available (and, for a snapshot backup, older than the snapshot) wins.
    /// </summary>
    private BackupRow? SelectParent(Db db, BlockVolume volume, VolumeSnapshot? snapshot)
    {
        BackupRow? best = null;
        var bestKey = DateTime.MinValue;
        foreach (var b in BackupTable.List(db, Context.ProjectName, volume.Id))
        {
            var eligible = b.Status == BackupStatus.Available && (snapshot is null || b.DataTimestamp < snapshot.CreatedAtUtc);
            var key = eligible ? b.DataTimestamp ?? DateTime.MinValue : DateTime.MinValue;
            if (best is null || key > bestKey)
            {
                best = b;
                bestKey = key;
            }
        }
        return best;
    }

    /// <summary>A chain stays in one repository, so each repository holds whole chains.</summary>
    private void CheckSameRepository(BackupRow parent, string repositoryName)
    {
        var parentRepository = _repositories.RepositoryOf(parent);
        if (parentRepository != repositoryName)
        {
            throw Invalid(ErrorIds.InvalidBackup,
                $"Invalid backup: the newest backup of the volume ({parent.Id}) is in repository '{parentRepository}', and an incremental backup must go to the same repository, not '{repositoryName}'. Do a full backup, or back up to '{parentRepository}'.", parent.Id);
        }
    }

    /// <summary>Reads the parent's _sha256file header from the repository: never call it under the catalog's write lock.</summary>
    private void CheckParentHashBlock(BackupRow parent, string repositoryName)
    {
        var block = _repositories.Definition(repositoryName).ShaBlockSize;
        var old = _repositories.ForBackup(parent).ReadHashBlockSize(parent);
        if (old != block)
        {
            throw Invalid(ErrorIds.InvalidBackup,
                $"Invalid backup: Hash block size has changed since the last backup. New hash block size: {block}. Old hash block size: {old}. Do a full backup.", parent.Id);
        }
    }

    private HashFile ReadParentHashes(string parentId, long block)
    {
        var parent = _engine.Catalog.Read(db => BackupTable.Get(db, parentId))
            ?? throw new CinderBackupException(ErrorIds.BackupNotFound, ErrorKind.NotFound, $"Backup {parentId} could not be found.", parentId);
        var hashes = HashFile.Create(_engine.Config.TempDirectory);
        try
        {
            var chunk = _repositories.ForBackup(parent).ReadHashes(parent, hashes);
            if (chunk != block)
            {
                throw Invalid(ErrorIds.InvalidBackup,
                    $"Invalid backup: Hash block size has changed since the last backup. New hash block size: {block}. Old hash block size: {chunk}. Do a full backup.", parentId);
            }
            return hashes;
        }
        catch
        {
            hashes.Dispose();
            throw;
        }
    }

    private VolumeBackup Succeed(BackupRow row, BackupWriteResult result, VolumeSnapshot? tempSnapshot, OperationOwner me)
    {
        var done = _engine.Catalog.Write(db =>
        {
            var current = BackupTable.Get(db, row.Id, includeDeleted: true);
            if (current is { Deleted: false, Status: not BackupStatus.Deleting } && !OperationClaims.IsOwnedBy(db, row.Id, me))
            {
                throw new LostClaimException(); // checked in the transaction that would record it: a peer's reset stands
            }
            var recreate = current is null;
            if (current is null)
            {
                // The row is gone: the catalog file was replaced under the running backup by something other than catalog
                // restore (which carries running operations forward). The backup is complete: its row is made again, so
                // that its objects are not left without one.
                current = row;
                _engine.Detail($"Backup {row.Id}: its catalog row disappeared while it ran; recording it again.");
            }
            else if (current.Deleted || current.Status is BackupStatus.Deleting)
            {
                return null; // force-deleted at the last moment: the delete owns the row now
            }
            current.Container = row.Container;
            current.ServiceMetadata = row.ServiceMetadata;
            current.ObjectCount = result.ObjectCount;
            current.Size = row.Size;
            current.ProgressDone = result.BytesScanned;
            current.ProgressTotal = result.BytesScanned;
            current.TempSnapshotId = row.TempSnapshotId;
            current.MetadataSha256 = result.MetadataSha256;
            current.Sha256FileSha256 = result.Sha256FileSha256;
            (current.BytesRead, current.BytesChanged, current.BytesStored, current.DurationMs) =
                (result.BytesRead ?? result.BytesScanned, result.BytesInObjects, result.BytesStored, row.DurationMs);
            RecordFinished(db, current, insert: recreate);
            EventLog.Write(_engine.Config, "backup.createprogress", current,
                extra: ProgressFields(new TransferProgress(result.BytesScanned, result.BytesScanned, result.ObjectCount, result.BytesStored)));
            EventLog.Write(_engine.Config, "backup.create.end", current);
            return current;
        });
        if (tempSnapshot is not null)
        {
            TemporarySnapshots.Delete(_engine, tempSnapshot.Id);
        }
        if (_rbdSnapshot is { } kept && _cephChain)
        {
            TrimCephSourceSnapshots(kept with { Snapshot = null }, kept.Snapshot!, row.VolumeId);
        }
        else if (_rbdSnapshot is { } newest)
        {
            // The new backup's snapshot is the base of the next incremental; older ones (and any a crash left) go.
            DropRbdSnapshots(newest with { Snapshot = null }, newest.Snapshot);
        }
        if (done is null)
        {
            throw new CinderBackupException(ErrorIds.BackupCancelled, ErrorKind.Cancelled, $"Backup {row.Id} was cancelled: it was deleted.", row.Id);
        }
        FaultPoints.Hit("backup.finished");
        return done.ToModel();
    }

    /// <summary>
    /// Writes the row of a backup that finished (here, or adopted by recovery from its commit point): available, its
    /// operation over, counted among its parent's dependents, its volume or snapshot given back.
    /// </summary>
    internal static void RecordFinished(Db db, BackupRow b, bool insert)
    {
        b.Status = BackupStatus.Available;
        b.FailReason = null;
        b.Operation = null;
        b.OwnerHost = null;
        b.OwnerPid = null;
        if (insert)
        {
            BackupTable.Insert(db, b);
        }
        else
        {
            BackupTable.Update(db, b);
        }
        OperationClaims.Release(db, b.Id);
        if (b.ParentId is not null)
        {
            BackupTable.AdjustDependents(db, b.ParentId, +1);
        }
        RestoreSource(db, b, failed: false);
    }

    private void Fail(BackupRow row, IBackupRepository? store, VolumeSnapshot? tempSnapshot, string reason)
    {
        if (store is not null && row.Container is not null && row.ServiceMetadata is not null)
        {
            store.RemoveBackup(row.Container, row.ServiceMetadata, row.Id);
        }
        _engine.Catalog.Write(db =>
        {
            var current = BackupTable.Get(db, row.Id, includeDeleted: true) ?? row;
            if (!current.Deleted)
            {
                current.Status = BackupStatus.Error;
                current.FailReason = reason.Length > 255 ? reason[..255] : reason;
                current.Operation = null;
                current.OwnerHost = null;
                current.OwnerPid = null;
                BackupTable.Update(db, current);
            }
            RestoreSource(db, current, failed: true);
            EventLog.Write(_engine.Config, "backup.create.error", current);
        });
        if (tempSnapshot is not null)
        {
            TemporarySnapshots.Delete(_engine, tempSnapshot.Id);
        }
        DropRbdSnapshot();
    }

    /// <summary>Force-deleted while creating: the writer removed what it wrote; finish the delete.</summary>
    private void Cancelled(BackupRow row, IBackupRepository store, VolumeSnapshot? tempSnapshot)
    {
        if (row.Container is not null && row.ServiceMetadata is not null)
        {
            store.RemoveBackup(row.Container, row.ServiceMetadata, row.Id);
        }
        _engine.Catalog.Write(db =>
        {
            var current = BackupTable.Get(db, row.Id, includeDeleted: true) ?? row;
            if (!current.Deleted)
            {
                BackupTable.SoftDelete(db, current.Id);
                new QuotaEngine(_engine.Config).ReleaseBackup(db, current.ProjectId, current.Size ?? 0);
            }
            RestoreSource(db, current, failed: false);
            EventLog.Write(_engine.Config, "backup.create.cancelled", current);
        });
        if (tempSnapshot is not null)
        {
            TemporarySnapshots.Delete(_engine, tempSnapshot.Id);
        }
        DropRbdSnapshot();
    }

    /// <summary>
    /// The volume returns to its previous status (previous_status becomes backing-up, or error_backing-up after a
    /// failure); a snapshot that was backed up returns to available.
    /// </summary>
    internal static void RestoreSource(Db db, BackupRow row, bool failed)
    {
        if (row.SnapshotId is not null)
        {
            SnapshotTable.ConditionalStatus(db, row.SnapshotId, new[] { SnapshotStatus.BackingUp }, SnapshotStatus.Available);
            return;
        }
        var volume = VolumeTable.Get(db, row.VolumeId);
        if (volume is not null && volume.Status == VolumeStatus.BackingUp)
        {
            var back = volume.PreviousStatus ?? VolumeStatus.Available;
            VolumeTable.SetStatusAndPrevious(db, volume.Id, back, failed ? VolumeStatus.ErrorBackingUp : VolumeStatus.BackingUp);
        }
    }

    /// <summary>A failed or cancelled backup's RBD snapshot goes; the parent's stays for the next try.</summary>
    private void DropRbdSnapshot()
    {
        if (_rbdSnapshot is { Snapshot: { } name } at)
        {
            try
            {
                RbdAccess.From(_engine.Config).RemoveSnapshot(at with { Snapshot = null }, name);
            }
            catch (CinderBackupException e)
            {
                _engine.Detail($"The snapshot '{at}' could not be removed ({e.Message}); the next backup of the volume removes it.");
            }
        }
    }

    private void DropRbdSnapshots(RbdLocation image, string? keep)
    {
        try
        {
            RbdAccess.From(_engine.Config).RemoveBackupSnapshots(image, keep);
        }
        catch (CinderBackupException e)
        {
            _engine.Detail($"Older backup snapshots of '{image}' could not be removed ({e.Message}); the next backup removes them.");
        }
    }

    /// <summary>
    /// The source snapshots of a Ceph chain stay (any backup may be the parent of the next, as Cinder keeps them), but
    /// those of no backup (a failed or crashed one) go, and with <c>backup_ceph_max_snapshots</c> set only the newest
    /// that many stay (Cinder's trim: an incremental of an older backup then becomes a full one).
    /// </summary>
    private void TrimCephSourceSnapshots(RbdLocation image, string keep, string volumeId)
    {
        try
        {
            var access = RbdAccess.From(_engine.Config);
            var live = _engine.Catalog.Read(db => BackupTable.List(db, null, volumeId)).Select(b => b.Id).ToHashSet(StringComparer.Ordinal);
            var max = _cephMaxSnapshots;
            var ours = access.Snapshots(image).Where(RbdAccess.IsBackupSnapshot).ToList();
            var gone = ours.Where(n => n != keep && !live.Contains(n.Split('.')[1])).ToList();
            if (max > 0)
            {
                gone.AddRange(ours.Except(gone).Where(n => n != keep)
                    .OrderByDescending(n => double.TryParse(n[(n.IndexOf(".snap.", StringComparison.Ordinal) + 6)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : 0)
                    .Skip(max - 1));
            }
            foreach (var name in gone)
            {
                access.RemoveSnapshot(image, name);
                _engine.Detail($"Removed snapshot '{image}@{name}' ({(live.Contains(name.Split('.')[1]) ? $"backup_ceph_max_snapshots is {max}" : "its backup is gone")}).");
            }
        }
        catch (CinderBackupException e)
        {
            _engine.Detail($"Older backup snapshots of '{image}' could not be trimmed ({e.Message}); the next backup trims them.");
        }
    }

    private static CinderBackupException Invalid(string id, string message, object target) =>
        new(id, ErrorKind.InvalidState, message, target);
}
