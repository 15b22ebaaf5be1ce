using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Rules;

/// <summary>
/// Cinder's backup quotas (cinder-reference.md §7): <c>backups</c> and <c>backup_gigabytes</c> per project,
/// counted as Cinder's usage sync does (non-deleted backups, summing their volume size), plus live reservations.
/// Every check and reservation runs inside the caller's immediate transaction, so concurrent creates from any
/// number of processes can never overshoot a limit.
/// </summary>
internal sealed class QuotaEngine
{
    public const string Backups = "backups";
    public const string Gigabytes = "backup_gigabytes";

    private readonly EngineConfig _config;

    public QuotaEngine(EngineConfig config) => _config = config;

    public int Limit(Db db, string project, string resource)
    {
        var explicitLimit = db.Scalar("SELECT hard_limit FROM quotas WHERE project_id = $p AND resource = $r", ("$p", project), ("$r", resource));
        if (explicitLimit is long l)
        {
            return (int)l;
        }
        return resource == Backups ? _config.QuotaBackups : _config.QuotaBackupGigabytes;
    }

    /// <summary>(in use, reserved) for a project, as Cinder's usage sync counts them.</summary>
    public (long InUse, long Reserved) Usage(Db db, string project, string resource)
    {
        var inUse = resource == Backups
            ? db.ScalarLong("SELECT COUNT(*) FROM backups WHERE project_id = $p AND deleted = 0", ("$p", project))
            : db.ScalarLong("SELECT COALESCE(SUM(size), 0) FROM backups WHERE project_id = $p AND deleted = 0", ("$p", project));
        var reserved = db.ScalarLong("SELECT COALESCE(SUM(delta), 0) FROM reservations WHERE project_id = $p AND resource = $r AND deleted = 0 AND delta > 0 AND expire > $now",
            ("$p", project), ("$r", resource), ("$now", Clock.ToStorage(Clock.UtcNow)));
        return (inUse, reserved);
    }

    /// <summary>Reserves one backup of <paramref name="sizeGiB"/>; throws Cinder's 413 errors when over quota.</summary>
    public string ReserveBackup(Db db, string project, int sizeGiB)
    {
        // Offending resources are checked in sorted order, so backup_gigabytes wins (db/api.py:1738).
        var gbLimit = Limit(db, project, Gigabytes);
        var (gbUsed, gbReserved) = Usage(db, project, Gigabytes);
        if (gbLimit >= 0 && sizeGiB > 0 && gbLimit < sizeGiB + gbUsed + gbReserved)
        {
            throw new CinderBackupException(ErrorIds.VolumeBackupSizeExceedsAvailableQuota, ErrorKind.QuotaExceeded,
                $"Requested backup exceeds allowed Backup gigabytes quota. Requested {sizeGiB}G, quota is {gbLimit}G and {gbUsed + gbReserved}G has been consumed.", project);
        }
        var countLimit = Limit(db, project, Backups);
        var (count, countReserved) = Usage(db, project, Backups);
        if (countLimit >= 0 && countLimit < 1 + count + countReserved)
        {
            throw new CinderBackupException(ErrorIds.BackupLimitExceeded, ErrorKind.QuotaExceeded,
                $"Maximum number of backups allowed ({countLimit}) exceeded", project);
        }
        var uuid = Guid.NewGuid().ToString();
        var now = Clock.UtcNow;
        var expire = Clock.ToStorage(now.AddSeconds(_config.ReservationExpireSeconds));
        foreach (var (resource, delta) in new[] { (Backups, 1), (Gigabytes, sizeGiB) })
        {
            db.Execute("INSERT INTO reservations (uuid, project_id, resource, delta, expire, created_at) VALUES ($u, $p, $r, $d, $e, $now)",
                ("$u", uuid), ("$p", project), ("$r", resource), ("$d", delta), ("$e", expire), ("$now", Clock.ToStorage(now)));
        }
        return uuid;
    }

    /// <summary>Commits a reservation: the backup row now exists and is counted as in use.</summary>
    public void Commit(Db db, string reservation) =>
        db.Execute("UPDATE reservations SET deleted = 1 WHERE uuid = $u", ("$u", reservation));

    /// <summary>
    /// Releases a deleted backup's quota. Usage is counted from the backups table, so the soft delete itself
    /// frees it; this records the release as Cinder's negative reservation does.
    /// </summary>
    public void ReleaseBackup(Db db, string project, int sizeGiB)
    {
        var now = Clock.ToStorage(Clock.UtcNow);
        foreach (var (resource, delta) in new[] { (Backups, -1), (Gigabytes, -sizeGiB) })
        {
            db.Execute("INSERT INTO reservations (uuid, project_id, resource, delta, expire, created_at, deleted) VALUES ($u, $p, $r, $d, $now, $now, 1)",
                ("$u", Guid.NewGuid().ToString()), ("$p", project), ("$r", resource), ("$d", delta), ("$now", now));
        }
    }
}
