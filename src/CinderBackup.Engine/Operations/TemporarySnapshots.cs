using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Util;
using CinderBackup.Engine.Volumes;

namespace CinderBackup.Engine.Operations;

/// <summary>The temporary snapshots a backup of an in-use volume reads from (Cinder's backup-snap-&lt;volid&gt;).</summary>
internal static class TemporarySnapshots
{
    /// <summary>
    /// A temporary snapshot of an in-use volume for a backup (Cinder's backup-snap-&lt;volid&gt;): no quota, and
    /// deleted by <see cref="Delete"/> when the backup ends.
    /// </summary>
    public static VolumeSnapshot Create(EngineSession session, BlockVolume volume, CancellationToken cancel)
    {
        var id = Guid.NewGuid().ToString();
        var path = Path.Combine(session.Config.SnapshotPath, "snapshot-" + id);
        var identity = RegisteredPaths.CheckInUse(session.Config, session.Context, session.Catalog, volume);
        session.Catalog.Write(db => SnapshotTable.Insert(db, id, volume.Id, $"backup-snap-{volume.Id}", null, volume.ProjectId,
            session.Context.UserName, SnapshotStatus.Creating, volume.Size, volume.SizeBytes, path, Clock.UtcNow, useQuota: false));
        try
        {
            SparseCopy.Copy(volume.Path, path, cancel, identity);
        }
        catch
        {
            session.Catalog.Write(db => SnapshotTable.SoftDelete(db, id));
            throw;
        }
        return session.Catalog.Write(db =>
        {
            SnapshotTable.SetStatus(db, id, SnapshotStatus.Available, "100%");
            return SnapshotTable.Get(db, id)!;
        });
    }

    public static void Delete(EngineSession session, string id)
    {
        var snapshot = session.Catalog.Read(db => SnapshotTable.Get(db, id));
        if (snapshot is null)
        {
            return;
        }
        try
        {
            File.Delete(snapshot.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the operator; the row stays so it can be found and deleted.
            return;
        }
        session.Catalog.Write(db => SnapshotTable.SoftDelete(db, id));
    }
}
