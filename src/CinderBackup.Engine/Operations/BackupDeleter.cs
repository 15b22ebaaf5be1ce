using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Logging;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.Rules;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Operations;

/// <summary>
/// Backup delete and force delete (cinder-reference.md §6.4): status and dependency checks, the objects
/// removed from the repository, the row soft-deleted, the parent's dependents counter and the quota released.
/// A force delete of a creating backup is Cinder's cancel: the running backup notices and removes its work.
/// </summary>
internal sealed class BackupDeleter
{
    private readonly EngineSession _engine;
    private readonly RepositoryResolver _repositories;

    private readonly OperationOwner _owner;

    public BackupDeleter(EngineSession engine)
    {
        _engine = engine;
        _repositories = new RepositoryResolver(engine.Config);
        _owner = OperationOwner.Current(engine.Config.Host);
    }

    public VolumeBackup Delete(string nameOrId, bool force)
    {
        if (force)
        {
            Policy.RequireAdmin(_engine.Context, "volume_extension:backup_admin_actions:force_delete");
        }
        // The backup's repository must be usable (configured, mounted) before anything changes.
        var found = _engine.Catalog.Read(db => Lookup.Backup(db, _engine.Context, nameOrId));
        if (found.Container is not null && found.ServiceMetadata is not null)
        {
            _repositories.ForBackup(found);
        }
        if (force && found.Container is not null && !_repositories.ForBackup(found).Cancellable)
        {
            // Cinder's API asks the driver (support_force_delete): its Ceph driver has none.
            throw new CinderBackupException(ErrorIds.InvalidBackup, ErrorKind.NotSupported, "Operation not supported: force delete.", found.Id);
        }
        var row = _engine.Catalog.Write(db =>
        {
            var b = Lookup.Backup(db, _engine.Context, nameOrId);
            if (!force && b.Status is not (BackupStatus.Available or BackupStatus.Error))
            {
                throw new CinderBackupException(ErrorIds.BackupInvalidState, ErrorKind.InvalidState,
                    "Invalid backup: Backup status must be available or error", b.Id);
            }
            if (BackupTable.CountDependents(db, b.Id) > 0)
            {
                throw new CinderBackupException(ErrorIds.BackupHasDependents, ErrorKind.InvalidState,
                    "Invalid backup: Incremental backups exist for this backup.", b.Id);
            }
            var expected = force
                ? new[] { BackupStatus.Available, BackupStatus.Error, BackupStatus.Creating, BackupStatus.Restoring, BackupStatus.ErrorDeleting, BackupStatus.Deleting }
                : new[] { BackupStatus.Available, BackupStatus.Error };
            if (!BackupTable.ConditionalStatus(db, b.Id, expected, BackupStatus.Deleting) && b.Status is not null)
            {
                throw new CinderBackupException(ErrorIds.BackupInvalidState, ErrorKind.InvalidState,
                    "Invalid backup: Backup status must be available or error", b.Id);
            }
            // The delete is an operation with an owner, like the others, so that recovery resumes it if this process dies.
            // A backup still being created or restored keeps that operation's owner: it notices the status and ends the
            // delete itself (or recovery does, once it is gone).
            OperationClaims.Begin(db, b.Id, "delete", _owner);
            EventLog.Write(_engine.Config, "backup.delete.start", b);
            return b;
        });
        FaultPoints.Hit("delete.started");
        return Finish(row);
    }

    /// <summary>Removes the objects and the row of a backup already in "deleting".</summary>
    internal VolumeBackup Finish(BackupRow row)
    {
        try
        {
            if (row.Container is not null && row.ServiceMetadata is not null)
            {
                var store = _repositories.ForBackup(row);
                store.RemoveStaged(row.Container, row.Id);
                // A catalog from before imports were checked may hold two rows owning the same objects (an empty or
                // foreign prefix): the objects then stay for the other row, and only this row goes.
                var owner = _engine.Catalog.Read(db => ObjectClaims.Claimant(db, _repositories, row.Id, row.Repository, row.Container, row.ServiceMetadata));
                if (owner is not null)
                {
                    _engine.Detail($"Backup {row.Id}: its objects (prefix '{row.ServiceMetadata}') are also backup {owner}'s; they are kept.");
                }
                var beat = Environment.TickCount64;
                if (owner is null)
                {
                    store.DeleteBackup(row.Container, row.ServiceMetadata, row.Id, () =>
                    {
                        if (Environment.TickCount64 - beat >= 1000)
                        {
                            // A long delete (thousands of objects, a slow server) must not look gone to other hosts.
                            beat = Environment.TickCount64;
                            _engine.Catalog.Write(db => OperationClaims.Heartbeat(db, row.Id, _owner));
                        }
                    });
                }
            }
        }
        catch (CinderBackupException e)
        {
            // Cinder: a driver failure during delete leaves the backup in error (not error_deleting).
            _engine.Catalog.Write(db =>
            {
                BackupTable.SetDeleteFailed(db, row.Id, e.Message.Length > 255 ? e.Message[..255] : e.Message);
                if (BackupTable.Get(db, row.Id) is { Operation: "delete" })
                {
                    OperationClaims.Release(db, row.Id);
                }
                EventLog.Write(_engine.Config, "backup.delete.error", row, e.Message);
            });
            throw;
        }
        FaultPoints.Hit("delete.objects.removed");
        var result = _engine.Catalog.Write(db =>
        {
            var current = BackupTable.Get(db, row.Id, includeDeleted: true)!;
            if (!current.Deleted)
            {
                BackupTable.SoftDelete(db, row.Id);
                if (current.ParentId is not null)
                {
                    BackupTable.AdjustDependents(db, current.ParentId, -1);
                }
                new QuotaEngine(_engine.Config).ReleaseBackup(db, current.ProjectId, current.Size ?? 0);
                if (current.Status == BackupStatus.Creating || current.Operation == "create")
                {
                    // The creating process, if it still runs, restores the volume itself; if it is gone, do it here.
                    BackupCreator.RestoreSource(db, current, failed: false);
                }
            }
            var deleted = BackupTable.Get(db, row.Id, includeDeleted: true)!;
            EventLog.Write(_engine.Config, "backup.delete.end", deleted);
            return deleted.ToModel();
        });
        FaultPoints.Hit("delete.finished");
        return result;
    }
}
