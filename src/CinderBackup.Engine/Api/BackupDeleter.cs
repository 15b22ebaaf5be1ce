using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Records;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.Transfer;

namespace CinderBackup.Engine.Api;

/// <summary>
/// Backup delete and force delete (cinder-reference.md §6.4): status and dependency checks, the objects
/// removed from the repository, the row soft-deleted, the parent's dependents counter and the quota released.
/// A force delete of a creating backup is Cinder's cancel: the running backup notices and removes its work.
/// </summary>
internal sealed class BackupDeleter
{
    private readonly BackupEngine _engine;
    private readonly RepositoryResolver _repositories;

    public BackupDeleter(BackupEngine engine)
    {
        _engine = engine;
        _repositories = new RepositoryResolver(engine.Config);
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
        var row = _engine.Catalog.Write(db =>
        {
            var b = Lookup.Backup(db, _engine.Context, nameOrId);
            if (!force && b.Status is not (BackupStatus.Available or BackupStatus.Error))
            {
                throw new CinderBackupException(ErrorIds.BackupInvalidState, ErrorKind.InvalidState,
                    "Invalid backup: Backup status must be available or error", b.Id);
            }
            if (BackupRecords.CountDependents(db, b.Id) > 0)
            {
                throw new CinderBackupException(ErrorIds.BackupHasDependents, ErrorKind.InvalidState,
                    "Invalid backup: Incremental backups exist for this backup.", b.Id);
            }
            var expected = force
                ? new[] { BackupStatus.Available, BackupStatus.Error, BackupStatus.Creating, BackupStatus.Restoring, BackupStatus.ErrorDeleting, BackupStatus.Deleting }
                : new[] { BackupStatus.Available, BackupStatus.Error };
            if (!BackupRecords.ConditionalStatus(db, b.Id, expected, BackupStatus.Deleting) && b.Status is not null)
            {
                throw new CinderBackupException(ErrorIds.BackupInvalidState, ErrorKind.InvalidState,
                    "Invalid backup: Backup status must be available or error", b.Id);
            }
            EventLog.Write(_engine, "backup.delete.start", b);
            return b;
        });
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
                foreach (var name in owner is null ? store.List(row.Container, row.ServiceMetadata) : Array.Empty<string>())
                {
                    store.Delete(row.Container, name);
                }
            }
        }
        catch (CinderBackupException e)
        {
            // Cinder: a driver failure during delete leaves the backup in error (not error_deleting).
            _engine.Catalog.Write(db =>
            {
                db.Execute("UPDATE backups SET status = 'error', fail_reason = $r WHERE id = $id",
                    ("$r", e.Message.Length > 255 ? e.Message[..255] : e.Message), ("$id", row.Id));
                EventLog.Write(_engine, "backup.delete.error", row, e.Message);
            });
            throw;
        }
        return _engine.Catalog.Write(db =>
        {
            var current = BackupRecords.Get(db, row.Id, includeDeleted: true)!;
            if (!current.Deleted)
            {
                BackupRecords.SoftDelete(db, row.Id);
                if (current.ParentId is not null)
                {
                    BackupRecords.AdjustDependents(db, current.ParentId, -1);
                }
                new QuotaEngine(_engine).ReleaseBackup(db, current.ProjectId, current.Size ?? 0);
                if (current.Status == BackupStatus.Creating || current.Operation == "create")
                {
                    // The creating process, if it still runs, restores the volume itself; if it is gone, do it here.
                    BackupCreator.RestoreSource(db, current, failed: false);
                }
            }
            var deleted = BackupRecords.Get(db, row.Id, includeDeleted: true)!;
            EventLog.Write(_engine, "backup.delete.end", deleted);
            return deleted.ToModel();
        });
    }
}
