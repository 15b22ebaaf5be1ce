using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Rules;
using CinderBackup.Engine.Util;
using CinderBackup.Engine.Volumes;

namespace CinderBackup.Engine.Api;

/// <summary>Snapshots: point-in-time copies of volumes (reflink, else a sparse copy).</summary>
public sealed class SnapshotApi
{
    private readonly BackupEngine _engine;

    internal SnapshotApi(BackupEngine engine) => _engine = engine;

    private BackupContext Context => _engine.Context;

    /// <summary>
    /// Snapshots a volume. The volume must be available; <paramref name="force"/> also allows in-use volumes
    /// (crash-consistent). The volume is marked so it cannot be deleted or changed while the copy runs.
    /// </summary>
    public VolumeSnapshot Create(string volumeNameOrId, string? name, string? description = null, bool force = false,
        CancellationToken cancel = default)
    {
        InputRules.ValidateText(name, "name");
        InputRules.ValidateText(description, "description");
        var id = Guid.NewGuid().ToString();
        var found = _engine.Catalog.Read(db => Lookup.Volume(db, Context, volumeNameOrId));
        // An RBD volume's snapshot is an RBD snapshot, snapshot-<id> (as Cinder's RBD driver names it).
        var rbd = VolumeBackend.IsRbd(found.Backend) ? RbdLocation.FromPath(found.Path).At("snapshot-" + id) : null;
        var path = rbd?.Path ?? Path.Combine(_engine.Config.SnapshotPath, "snapshot-" + id);
        var identity = RegisteredPaths.CheckInUse(_engine.Config, _engine.Context, _engine.Catalog, found);
        var volume = _engine.Catalog.Write(db =>
        {
            var v = Lookup.Volume(db, Context, volumeNameOrId);
            if (v.Status == VolumeStatus.Error)
            {
                throw new CinderBackupException(ErrorIds.VolumeInvalidState, ErrorKind.InvalidState,
                    "Invalid volume: The snapshot cannot be created when the volume is in error status.", v.Id);
            }
            var valid = force ? new[] { VolumeStatus.Available, VolumeStatus.InUse } : new[] { VolumeStatus.Available };
            if (!valid.Contains(v.Status))
            {
                throw new CinderBackupException(v.Status == VolumeStatus.InUse ? ErrorIds.VolumeInUse : ErrorIds.VolumeInvalidState,
                    ErrorKind.InvalidState,
                    $"Invalid volume: Volume {v.Id} status must be {string.Join(", ", valid)}, but current status is: {v.Status}.", v.Id);
            }
            // Cinder reserves the volume's size in gigabytes for a snapshot, unless no_snapshot_gb_quota.
            var quota = new QuotaEngine(_engine.Config);
            var reservation = _engine.Config.NoSnapshotGbQuota ? null : quota.ReserveGigabytes(db, Context.ProjectName, v.Size);
            SnapshotTable.Insert(db, id, v.Id, name, description, Context.ProjectName, Context.UserName,
                SnapshotStatus.Creating, v.Size, v.SizeBytes, path, Clock.UtcNow);
            if (reservation is not null)
            {
                quota.Commit(db, reservation);
            }
            return v;
        });
        try
        {
            if (rbd is not null)
            {
                RbdAccess.From(_engine.Config).CreateSnapshot(rbd with { Snapshot = null }, rbd.Snapshot!);
            }
            else
            {
                SparseCopy.Copy(volume.Path, path, cancel, identity);
            }
        }
        catch (Exception e)
        {
            _engine.Catalog.Write(db => SnapshotTable.SoftDelete(db, id));
            if (e is OperationCanceledException)
            {
                throw;
            }
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError,
                $"Cannot snapshot volume {VolumeNames.Describe(volume)}: {e.Message}", volume.Id, e);
        }
        return _engine.Catalog.Write(db =>
        {
            SnapshotTable.SetStatus(db, id, SnapshotStatus.Available, "100%");
            return SnapshotTable.Get(db, id)!;
        });
    }

    public VolumeSnapshot Get(string nameOrId) => _engine.Catalog.Read(db => Lookup.Snapshot(db, Context, nameOrId));

    public IReadOnlyList<VolumeSnapshot> List(string? volumeNameOrId = null, bool allProjects = false)
    {
        var project = Policy.ProjectFilter(Context, allProjects);
        return _engine.Catalog.Read(db =>
        {
            var volumeId = volumeNameOrId is null ? null : Lookup.Volume(db, Context, volumeNameOrId).Id;
            return SnapshotTable.List(db, project, volumeId);
        });
    }

    /// <summary>Deletes a snapshot in available or error status (any status when an admin forces it).</summary>
    /// <summary>Whether deleting this snapshot needs <c>force</c> (admin; Cinder's <c>snapshot delete --force</c>).</summary>
    public static bool DeleteNeedsForce(VolumeSnapshot s) => s.Status is not (SnapshotStatus.Available or SnapshotStatus.Error);

    public VolumeSnapshot Delete(string nameOrId, bool force = false)
    {
        if (force)
        {
            Policy.RequireAdmin(Context, "volume_extension:snapshot_admin_actions:force_delete");
        }
        var found = _engine.Catalog.Read(db => Lookup.Snapshot(db, Context, nameOrId));
        VolumeProvenance.CheckSnapshot(_engine.Config, _engine.Catalog, found.Id, found.Path); // the file removed is the snapshot's own
        var snapshot = _engine.Catalog.Write(db =>
        {
            var s = Lookup.Snapshot(db, Context, nameOrId);
            var expected = force
                ? new[] { SnapshotStatus.Available, SnapshotStatus.Error, SnapshotStatus.Creating, SnapshotStatus.ErrorDeleting, SnapshotStatus.Deleting }
                : new[] { SnapshotStatus.Available, SnapshotStatus.Error };
            if (!SnapshotTable.ConditionalStatus(db, s.Id, expected, SnapshotStatus.Deleting))
            {
                throw new CinderBackupException(ErrorIds.SnapshotInvalidState, ErrorKind.InvalidState,
                    $"Invalid snapshot: Snapshot {(force ? "" : "status must be available or error and ")}must not be part of a group. (snapshot {s.Id} is {s.Status})", s.Id);
            }
            return s;
        });
        try
        {
            if (RbdLocation.Is(snapshot.Path))
            {
                var at = RbdLocation.FromPath(snapshot.Path);
                RbdAccess.From(_engine.Config).RemoveSnapshot(at with { Snapshot = null }, at.Snapshot!);
            }
            else if (File.Exists(snapshot.Path))
            {
                File.Delete(snapshot.Path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CinderBackupException)
        {
            _engine.Catalog.Write(db => SnapshotTable.SetStatus(db, snapshot.Id, SnapshotStatus.ErrorDeleting));
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError,
                $"Cannot delete the image of snapshot {snapshot.Id} at '{snapshot.Path}': {e.Message}", snapshot.Id, e);
        }
        _engine.Catalog.Write(db => SnapshotTable.SoftDelete(db, snapshot.Id));
        return snapshot;
    }
}
