using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Logging;
using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.Restore;
using CinderBackup.Engine.Rules;
using CinderBackup.Engine.Util;
using CinderBackup.Engine.Volumes;

namespace CinderBackup.Engine.Operations;

/// <summary>
/// One restore, following Cinder's rules (cinder-reference.md §6.3) and transitions (§6.1): to an existing
/// available volume at least as large as the backup, or to a new volume restore_backup_&lt;id&gt;. The chain is
/// planned first and written block by block, verified; volume_meta is applied layer by layer as Cinder does.
/// </summary>
internal sealed class BackupRestorer
{
    private readonly EngineSession _engine;
    private readonly RepositoryResolver _repositories;

    public BackupRestorer(EngineSession engine)
    {
        _engine = engine;
        _repositories = new RepositoryResolver(engine.Config);
    }

    private BackupContext Context => _engine.Context;

    /// <param name="Description">A description the caller gives the volume: written when the restore completes, after the
    /// backup's own volume_meta, as a <c>volume set</c> right after it would.</param>
    /// <param name="Metadata">Metadata keys the caller adds, likewise.</param>
    public sealed record Prepared(BackupRow Backup, BlockVolume Volume, bool VolumeIsNew, string? Description = null,
        IReadOnlyDictionary<string, string>? Metadata = null);

    public Prepared Prepare(string backupNameOrId, string? volumeNameOrId, string? name, string? availabilityZone, int? sizeGiB = null,
        string? description = null, IReadOnlyDictionary<string, string>? metadata = null, string? volumeType = null)
    {
        InputRules.ValidateText(name, "name");
        InputRules.ValidateText(availabilityZone, "availability zone");
        if (volumeType is not null)
        {
            _engine.Catalog.Read(db => Lookup.VolumeType(db, volumeType)); // an unknown type changes nothing
        }
        var backup = _engine.Catalog.Read(db => Lookup.Backup(db, Context, backupNameOrId));
        CheckBackup(backup);
        if (sizeGiB is int requested)
        {
            InputRules.ValidateSize(requested.ToString(System.Globalization.CultureInfo.InvariantCulture), requested);
            if (requested < backup.Size)
            {
                throw new CinderBackupException(ErrorIds.InvalidSize, ErrorKind.InvalidArgument,
                    $"Invalid input received: Volume size {requested}GB cannot be smaller than the backup size {backup.Size}GB. It must be >= backup size.", requested);
            }
        }
        // Every backup of the chain must be in the catalog and its data where its repository is (configured, mounted,
        // and not moved) before anything changes: a refusal leaves no volume behind.
        foreach (var row in CheckParentsInCatalog(backup))
        {
            _repositories.Locate(row, requirePresent: true);
        }
        BlockVolume target;
        var isNew = volumeNameOrId is null;
        if (isNew)
        {
            target = CreateForRestore(name ?? $"restore_backup_{backup.Id}", sizeGiB ?? backup.Size!.Value, availabilityZone, volumeType);
        }
        else
        {
            target = _engine.Catalog.Read(db => Lookup.Volume(db, Context, volumeNameOrId!));
            RegisteredPaths.CheckInUse(_engine.Config, _engine.Context, _engine.Catalog, target); // a registered path must still lead to a file it may write
        }
        try
        {
            return _engine.Catalog.Write(db =>
            {
                var b = Lookup.Backup(db, Context, backup.Id);
                CheckBackup(b);
                var v = VolumeTable.Get(db, target.Id)!;
                if (!isNew)
                {
                    if (v.Status != VolumeStatus.Available)
                    {
                        throw new CinderBackupException(ErrorIds.VolumeInvalidState, ErrorKind.InvalidState,
                            "Invalid volume: Volume to be restored to must be available", v.Id);
                    }
                    if (v.Size < b.Size)
                    {
                        throw new CinderBackupException(ErrorIds.VolumeTooSmall, ErrorKind.InvalidArgument,
                            $"Invalid volume: volume size {v.Size} is too small to restore backup of size {b.Size}.", v.Id);
                    }
                }
                if (!BackupTable.ConditionalStatus(db, b.Id, new[] { BackupStatus.Available }, BackupStatus.Restoring) ||
                    !VolumeTable.ConditionalStatus(db, v.Id, new[] { isNew ? VolumeStatus.Creating : VolumeStatus.Available }, VolumeStatus.RestoringBackup, savePrevious: true))
                {
                    throw new CinderBackupException(ErrorIds.BackupInvalidState, ErrorKind.InvalidState,
                        "Invalid backup: Backup status must be available", b.Id);
                }
                OperationClaims.BeginRestore(db, b.Id, v.Id, OperationOwner.Current(_engine.Config.Host));
                b.RestoreVolumeId = v.Id;
                EventLog.Write(_engine.Config, "backup.restore.start", b, $"volume {v.Id}");
                return new Prepared(b, v, isNew, description, metadata);
            });
        }
        catch
        {
            if (isNew)
            {
                // Nothing started: the auto-created volume goes away again.
                _engine.Catalog.Write(db =>
                {
                    VolumeTable.SoftDelete(db, target.Id);
                    new QuotaEngine(_engine.Config).ReleaseVolume(db, target.ProjectId, target.Size);
                });
                FilePool.Delete(target.Path);
            }
            throw;
        }
    }

    public BackupRestoreResult Execute(Prepared p, IProgress<TransferProgress>? progress, CancellationToken cancel)
    {
        var backup = p.Backup;
        using var monitor = new OperationMonitor(_engine.Config, backup.Id,
            status => status != BackupStatus.Restoring, progress, cancel);
        try
        {
            FaultPoints.Hit("restore.prepared");
            var chain = LoadChain(backup, out var repository);
            FaultPoints.Hit("restore.chain.loaded");
            _engine.Detail($"Restore of {backup.Id} to volume {p.Volume.Id}: chain {string.Join(" <- ", chain.Select(l => l.BackupId).Reverse())}.");
            monitor.CheckNow();
            monitor.Token.ThrowIfCancellationRequested();
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = repository.Restore(new RestoreRequest
            {
                Chain = chain,
                TargetPath = p.Volume.Path,
                TargetIdentity = RegisteredPaths.CheckInUse(_engine.Config, _engine.Context, _engine.Catalog, p.Volume),
                TargetIsNew = p.VolumeIsNew,
                MayGrowTarget = p.Volume.Backend is VolumeBackend.Pool or VolumeBackend.Rbd,
                Rbd = VolumeBackend.IsRbd(p.Volume.Backend) ? RbdAccess.From(_engine.Config) : null,
                DiscardExcess = _engine.Config.RestoreDiscardExcessBytes,
                Workers = _engine.Config.BackupWorkers,
                ObjectsInFlight = TransferDefaults.ObjectsInFlight(_engine.Config, null),
                TempDirectory = _engine.Config.TempDirectory,
                Throttle = _engine.Config.IoBandwidthLimit > 0 ? new IoThrottle(_engine.Config.IoBandwidthLimit) : null,
                Progress = monitor.Progress,
                Cancel = monitor.Token,
            });
            monitor.CheckNow();
            if (monitor.StoppedByStatus && repository.Cancellable)
            {
                throw new OperationCanceledException();
            }
            _engine.Detail($"Restore of {backup.Id}: {result.ObjectsRead} objects read, {result.ObjectsSkipped} superseded and skipped, {result.BytesWritten} of {result.VolumeBytes} bytes written"
                + (result.ExcessMethod is { } how ? $"; {result.ExcessZeroed} bytes past the backup's size zeroed ({how})." : "."));
            return Succeed(p, chain, result, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e) when (e is OperationCanceledException ? monitor.StoppedByStatus || cancel.IsCancellationRequested : StoppedMeanwhile(monitor))
        {
            // Cinder: the volume becomes error, the backup returns to available whatever the admin set.
            Finish(p, VolumeStatus.Error, "cancelled", failReason: null);
            throw new CinderBackupException(ErrorIds.RestoreCancelled, ErrorKind.Cancelled,
                $"Canceled backup {backup.Id} restore on volume {p.Volume.Id}", backup.Id);
        }
        catch (Exception e)
        {
            var reason = Reason(e, p.Volume.Path);
            if (p.VolumeIsNew && DiskSpace.IsNoSpace(e))
            {
                // The new volume ends in error and its partial data is worthless: giving its blocks back lets the catalog,
                // often on the same full file system, record why.
                FilePool.Discard(p.Volume.Path);
            }
            var message = $"Restore of backup {backup.Id} to volume {p.Volume.Id} failed: {reason}";
            try
            {
                Finish(p, p.VolumeIsNew ? VolumeStatus.Error : VolumeStatus.ErrorRestoring, reason, $"Restore to volume {p.Volume.Id} failed: {reason}");
            }
            catch (CinderBackupException finishing)
            {
                // The reason still reaches the caller; the next start-up's recovery settles the statuses.
                message += $" The catalog could not record this: {finishing.Message}";
            }
            throw new CinderBackupException(ErrorIds.RestoreFailed, e is CinderBackupException cb ? cb.Kind : ErrorKind.IOError,
                message, backup.Id, e);
        }
    }

    /// <summary>
    /// Why a restore failed, for the caller and fail_reason. A repository that writes the target itself (Ceph) lets a
    /// full disk surface as a bare ENOSPC: it gets the same message as the chunked writer's, naming the full directory.
    /// </summary>
    private string Reason(Exception e, string targetPath)
    {
        if (e is CinderBackupException)
        {
            return e.Message;
        }
        if (DiskSpace.IsNoSpace(e))
        {
            var target = Path.GetDirectoryName(targetPath)!;
            var full = DiskSpace.IsFull(target) || !DiskSpace.IsFull(_engine.Config.TempDirectory) ? target : _engine.Config.TempDirectory;
            return $"{DiskSpace.Explain(full)} (writing {(full == target ? "the target volume" : "temporary files")})"; // the full directory first: fail_reason holds 255 characters
        }
        return $"{e.GetType().Name}: {e.Message}";
    }

    private static bool StoppedMeanwhile(OperationMonitor monitor)
    {
        monitor.CheckNow();
        return monitor.StoppedByStatus;
    }

    /// <summary>
    /// Every parent an incremental needs must be in the catalog (a record imported without its parents): checked
    /// before any volume is created or marked, so the failure changes nothing.
    /// </summary>
    /// <summary>A pool volume made for a restore: it starts in "creating", as Cinder's auto-created volumes do.</summary>
    private BlockVolume CreateForRestore(string name, int sizeGiB, string? availabilityZone, string? volumeType)
    {
        var id = Guid.NewGuid().ToString();
        var path = FilePool.ImagePath(_engine.Config.VolumePoolPath, id);
        var bytes = sizeGiB * FilePool.GiB;
        try
        {
            FilePool.Create(path, bytes);
            return _engine.Catalog.Write(db =>
            {
                // The CERN guide's VolumeSizeExceedsAvailableQuota / VolumeLimitExceeded when restoring to a new volume.
                var quota = new QuotaEngine(_engine.Config);
                var reservation = quota.ReserveVolume(db, Context.ProjectName, sizeGiB);
                VolumeTable.Insert(db, id, name, "auto-created_from_restore_from_backup", Context.ProjectName, Context.UserName,
                    sizeGiB, bytes, VolumeStatus.Creating, availabilityZone ?? _engine.Config.AvailabilityZone, _engine.Config.Host,
                    VolumeBackend.Pool, path, Clock.UtcNow, SharedStorage.Covers(_engine.Config, path),
                    Lookup.VolumeType(db, volumeType).Id); // Cinder's restore makes it with no type: the default
                quota.Commit(db, reservation);
                return VolumeTable.Get(db, id)!;
            });
        }
        catch (CinderBackupException)
        {
            FilePool.Delete(path);
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            FilePool.Delete(path);
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError,
                $"Invalid volume: Error while creating volume {id} for restoring backup: {e.Message}", id, e);
        }
    }

    private List<BackupRow> CheckParentsInCatalog(BackupRow backup) => _engine.Catalog.Read(db =>
    {
        var chain = new List<BackupRow> { backup };
        var seen = new HashSet<string> { backup.Id };
        for (var row = backup; row.ParentId is string parentId;)
        {
            var child = row.Id;
            row = BackupTable.Get(db, parentId) ?? throw new CinderBackupException(ErrorIds.BackupChainBroken, ErrorKind.NotFound,
                $"Backup {parentId} could not be found. Backup {child} is an incremental backup and needs it: import the record of backup {parentId} (and of its own parents) first.", parentId);
            if (!seen.Add(row.Id))
            {
                throw new CinderBackupException(ErrorIds.BackupChainBroken, ErrorKind.InvalidData,
                    $"Backup {backup.Id}: its parent chain loops at {row.Id}.", row.Id);
            }
            chain.Add(row);
        }
        return chain;
    });

    /// <summary>The requested backup first, then its parents, each read and checked; <paramref name="repository"/>: the requested backup's.</summary>
    internal List<ChainLayer> LoadChain(BackupRow requested, out IBackupRepository repository)
    {
        var chain = new List<ChainLayer>();
        IBackupRepository? first = null;
        var seen = new HashSet<string>();
        for (var row = requested; ;)
        {
            if (!seen.Add(row.Id))
            {
                throw new CinderBackupException(ErrorIds.BackupChainBroken, ErrorKind.InvalidData,
                    $"Backup {requested.Id}: its parent chain loops at {row.Id}.", row.Id);
            }
            if (row.Container is null || row.ServiceMetadata is null)
            {
                throw new CinderBackupException(ErrorIds.BackupChainBroken, ErrorKind.InvalidData,
                    $"Backup {row.Id} has no container or object prefix recorded; it never stored data.", row.Id);
            }
            var located = _repositories.Locate(row);
            first ??= located;
            chain.Add(located.LoadLayer(new ChainLink(row.Id, row.Container, row.ServiceMetadata,
                row.MetadataSha256, row.Sha256FileSha256) { ParentKnown = true, CatalogParent = row.ParentId }));
            if (row.ParentId is null)
            {
                repository = first;
                return chain;
            }
            var parentId = row.ParentId;
            var child = row.Id;
            row = _engine.Catalog.Read(db => BackupTable.Get(db, parentId))
                ?? throw new CinderBackupException(ErrorIds.BackupChainBroken, ErrorKind.NotFound,
                    $"Backup {parentId} could not be found. Backup {child} is an incremental backup and needs it: import the record of backup {parentId} (and of its own parents) first.", parentId);
        }
    }

    private BackupRestoreResult Succeed(Prepared p, List<ChainLayer> chain, RestoreResult result, TimeSpan duration)
    {
        var volume = _engine.Catalog.Write(db =>
        {
            // Each layer's volume_meta is applied, oldest first, as Cinder's restore loop does.
            for (var i = chain.Count - 1; i >= 0; i--)
            {
                if (chain[i].Metadata.VolumeMeta is string meta)
                {
                    Apply(db, p.Volume.Id, VolumeMetaDocument.Parse(meta, chain[i].BackupId));
                }
            }
            VolumeTable.SetMetadata(db, p.Volume.Id, new Dictionary<string, string> { ["src_backup_id"] = p.Backup.Id }, replace: false);
            if (p.Description is not null || p.Metadata is not null)
            {
                var restored = VolumeTable.Get(db, p.Volume.Id)!;
                VolumeTable.SetNameAndDescription(db, restored.Id, restored.Name, p.Description ?? restored.Description);
                if (p.Metadata is not null)
                {
                    VolumeTable.SetMetadata(db, restored.Id, p.Metadata, replace: false);
                }
            }
            VolumeTable.SetRestored(db, p.Volume.Id);
            ReleaseBackup(db, p.Backup.Id);
            EventLog.Write(_engine.Config, "backup.restore.end", BackupTable.Get(db, p.Backup.Id)!, $"volume {p.Volume.Id}");
            return VolumeTable.Get(db, p.Volume.Id)!;
        });
        FaultPoints.Hit("restore.finished");
        return new BackupRestoreResult
        {
            BackupId = p.Backup.Id,
            VolumeId = volume.Id,
            VolumeName = volume.Name,
            BytesRestored = result.VolumeBytes,
            BytesWritten = result.BytesWritten,
            ObjectsRead = result.ObjectsRead,
            ObjectsSkipped = result.ObjectsSkipped,
            Duration = duration,
        };
    }

    /// <summary>Cinder's put_metadata rules (driver.py:192): name and description only onto unnamed or auto-named targets.</summary>
    private static void Apply(Db db, string volumeId, VolumeMetaDocument.Restorable meta)
    {
        var target = VolumeTable.Get(db, volumeId)!;
        if (meta.HasBase && !string.IsNullOrEmpty(meta.DisplayName) &&
            (string.IsNullOrEmpty(target.Name) || target.Name.StartsWith("restore_backup_", StringComparison.Ordinal)))
        {
            VolumeTable.SetNameAndDescription(db, volumeId, meta.DisplayName, meta.DisplayDescription);
        }
        if (meta.UserMetadata is not null)
        {
            VolumeTable.SetMetadata(db, volumeId, meta.UserMetadata, replace: true);
        }
        if (meta.GlanceMetadata is not null)
        {
            VolumeTable.SetGlanceMetadata(db, volumeId, meta.GlanceMetadata);
        }
    }

    /// <param name="failReason">Recorded as the backup's fail_reason (as Cinder's restore aborts do), so <c>backup show</c> says why.</param>
    private void Finish(Prepared p, string volumeStatus, string reason, string? failReason)
    {
        _engine.Catalog.Write(db =>
        {
            VolumeTable.SetStatus(db, p.Volume.Id, volumeStatus);
            ReleaseBackup(db, p.Backup.Id);
            if (failReason is not null)
            {
                BackupTable.SetFailReason(db, p.Backup.Id, failReason.Length > 255 ? failReason[..255] : failReason);
            }
            EventLog.Write(_engine.Config, "backup.restore.error", BackupTable.Get(db, p.Backup.Id, includeDeleted: true)!, reason);
        });
    }

    /// <summary>The backup ends available in every outcome (unless it was deleted meanwhile).</summary>
    private static void ReleaseBackup(Db db, string backupId) => OperationClaims.EndRestore(db, backupId);

    private static void CheckBackup(BackupRow b)
    {
        if (b.Status != BackupStatus.Available)
        {
            throw new CinderBackupException(ErrorIds.BackupInvalidState, ErrorKind.InvalidState, "Invalid backup: Backup status must be available", b.Id);
        }
        if (b.Size is null or <= 0)
        {
            throw new CinderBackupException(ErrorIds.InvalidBackup, ErrorKind.InvalidState, "Backup to be restored has invalid size", b.Id);
        }
    }
}
