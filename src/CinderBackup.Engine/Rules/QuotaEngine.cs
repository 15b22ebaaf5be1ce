using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Rules;

/// <summary>
/// Cinder's backup quotas (cinder-reference.md §7): <c>backups</c> and <c>backup_gigabytes</c> per project,
/// counted as Cinder's usage sync does (non-deleted backups, summing their volume size), plus live reservations.
/// Every check and reservation runs inside the caller's write transaction, after locking the project's quota_usages
/// rows (<see cref="QuotaTable.LockUsages"/>), so concurrent creates from any number of processes and hosts can never
/// overshoot a limit.
/// </summary>
internal sealed class QuotaEngine
{
    public const string Backups = "backups";
    public const string Gigabytes = "backup_gigabytes";
    public const string Volumes = "volumes";
    public const string VolumeGigabytes = "gigabytes";

    /// <summary>Every resource the tool counts, in the order `quota usage` lists them (Cinder's: sorted by name).</summary>
    public static readonly string[] Resources = { Gigabytes, Backups, VolumeGigabytes, Volumes };

    private readonly EngineConfig _config;

    public QuotaEngine(EngineConfig config) => _config = config;

    public int Limit(Db db, string project, string resource)
    {
        if (QuotaTable.HardLimit(db, project, resource) is int l)
        {
            return l;
        }
        return resource switch
        {
            Backups => _config.QuotaBackups,
            Volumes => _config.QuotaVolumes,
            VolumeGigabytes => _config.QuotaGigabytes,
            _ => _config.QuotaBackupGigabytes,
        };
    }

    /// <summary>(in use, reserved) for a project, as Cinder's usage sync counts them.</summary>
    public (long InUse, long Reserved) Usage(Db db, string project, string resource)
    {
        var inUse = resource switch
        {
            Backups => BackupTable.CountInProject(db, project),
            Volumes => VolumeTable.CountInProject(db, project),
            // Snapshots count too unless no_snapshot_gb_quota (Cinder's _sync_gigabytes).
            VolumeGigabytes => VolumeTable.SizeInProject(db, project) + (_config.NoSnapshotGbQuota ? 0 : SnapshotTable.SizeInProject(db, project)),
            _ => BackupTable.SizeInProject(db, project),
        };
        var reserved = ReservationTable.Reserved(db, project, resource, Clock.UtcNow);
        return (inUse, reserved);
    }

    /// <summary>Reserves one backup of <paramref name="sizeGiB"/>; throws Cinder's 413 errors when over quota.</summary>
    public string ReserveBackup(Db db, string project, int sizeGiB) => Reserve(db, project, sizeGiB, Backups, Gigabytes,
        (limit, consumed) => new CinderBackupException(ErrorIds.VolumeBackupSizeExceedsAvailableQuota, ErrorKind.QuotaExceeded,
            $"Requested backup exceeds allowed Backup gigabytes quota. Requested {sizeGiB}G, quota is {limit}G and {consumed}G has been consumed.", project),
        limit => new CinderBackupException(ErrorIds.BackupLimitExceeded, ErrorKind.QuotaExceeded,
            $"Maximum number of backups allowed ({limit}) exceeded", project));

    /// <summary>
    /// Reserves one volume of <paramref name="sizeGiB"/> (a new, restored-into or registered volume); throws Cinder's 413
    /// errors when over quota (quota_utils.process_reserve_over_quota).
    /// </summary>
    public string ReserveVolume(Db db, string project, int sizeGiB) => Reserve(db, project, sizeGiB, Volumes, VolumeGigabytes,
        (limit, consumed) => OverGigabytes(project, sizeGiB, limit, consumed),
        limit => new CinderBackupException(ErrorIds.VolumeLimitExceeded, ErrorKind.QuotaExceeded,
            $"Maximum number of volumes allowed ({limit}) exceeded for quota 'volumes'.", project));

    /// <summary>
    /// Reserves <paramref name="sizeGiB"/> of <c>gigabytes</c> alone: a new snapshot's volume size (Cinder's _create_snapshot,
    /// unless no_snapshot_gb_quota; the caller checks that) or the size an extend adds (Cinder's _extend). Commit it once
    /// the row shows the size; <see cref="Rollback"/> it when the change fails.
    /// </summary>
    public string ReserveGigabytes(Db db, string project, int sizeGiB) => Reserve(db, project, sizeGiB, null, VolumeGigabytes,
        (limit, consumed) => OverGigabytes(project, sizeGiB, limit, consumed), _ => throw new InvalidOperationException());

    private static CinderBackupException OverGigabytes(string project, int sizeGiB, int limit, long consumed) =>
        new(ErrorIds.VolumeSizeExceedsAvailableQuota, ErrorKind.QuotaExceeded,
            $"Requested volume or snapshot exceeds allowed gigabytes quota. Requested {sizeGiB}G, quota is {limit}G and {consumed}G has been consumed.", project);

    /// <summary>
    /// Checks and reserves one item of <paramref name="count"/> (none when null) and <paramref name="sizeGiB"/> of
    /// <paramref name="gigabytes"/>. Offending resources are checked in sorted order, so the gigabytes one wins (db/api.py:1738).
    /// </summary>
    private string Reserve(Db db, string project, int sizeGiB, string? count, string gigabytes,
        Func<int, long, CinderBackupException> overSize, Func<int, CinderBackupException> overCount)
    {
        // The project's lock first: whatever it counts below cannot change under it until this transaction ends.
        QuotaTable.LockUsages(db, project, count is null ? new[] { gigabytes } : new[] { count, gigabytes }, Clock.UtcNow);
        var gbLimit = Limit(db, project, gigabytes);
        var (gbUsed, gbReserved) = Usage(db, project, gigabytes);
        if (gbLimit >= 0 && sizeGiB > 0 && gbLimit < (long)sizeGiB + gbUsed + gbReserved)
        {
            throw overSize(gbLimit, gbUsed + gbReserved);
        }
        if (count is not null)
        {
            var countLimit = Limit(db, project, count);
            var (used, reserved) = Usage(db, project, count);
            if (countLimit >= 0 && countLimit < 1 + used + reserved)
            {
                throw overCount(countLimit);
            }
        }
        var uuid = Guid.NewGuid().ToString();
        var now = Clock.UtcNow;
        var expire = now.AddSeconds(_config.ReservationExpireSeconds);
        foreach (var (resource, delta) in count is null ? new[] { (gigabytes, sizeGiB) } : new[] { (count, 1), (gigabytes, sizeGiB) })
        {
            ReservationTable.Insert(db, uuid, project, resource, delta, expire, now);
        }
        FaultPoints.Hit("quota.reserved"); // the reservation is not committed yet: a racing one must wait for it
        return uuid;
    }

    /// <summary>Commits a reservation: the backup row now exists and is counted as in use.</summary>
    public void Commit(Db db, string reservation) =>
        ReservationTable.Commit(db, reservation);

    /// <summary>
    /// Gives a reservation back (Cinder's rollback): usage is counted from the tables, so ending the live reservation
    /// without a row that shows the size is all a rollback is.
    /// </summary>
    public void Rollback(Db db, string reservation) =>
        ReservationTable.Commit(db, reservation);

    /// <summary>Releases a deleted volume's quota (counted from the volumes table; recorded as for backups).</summary>
    public void ReleaseVolume(Db db, string project, int sizeGiB) => Release(db, project, (Volumes, -1), (VolumeGigabytes, -sizeGiB));

    /// <summary>
    /// Releases a deleted backup's quota. Usage is counted from the backups table, so the soft delete itself
    /// frees it; this records the release as Cinder's negative reservation does.
    /// </summary>
    public void ReleaseBackup(Db db, string project, int sizeGiB) => Release(db, project, (Backups, -1), (Gigabytes, -sizeGiB));

    private static void Release(Db db, string project, params (string Resource, int Delta)[] lines)
    {
        var now = Clock.UtcNow;
        foreach (var (resource, delta) in lines)
        {
            ReservationTable.InsertCommitted(db, Guid.NewGuid().ToString(), project, resource, delta, now);
        }
    }
}
