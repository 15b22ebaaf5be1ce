using System.Security.Cryptography;
using System.Text;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Catalog;

/// <summary>
/// The one claim model of the catalog: how a backup's operation (create, restore, delete) gets an owner and changes
/// hands. Every change of owner is a single conditional UPDATE, so of any number of claimants exactly one wins and the
/// others change nothing (a PostgreSQL catalog does the same with SELECT ... FOR UPDATE SKIP LOCKED).
/// <list type="bullet">
/// <item><see cref="Begin"/>: the process that starts an operation records itself as its owner.</item>
/// <item><see cref="Offer"/>: the owner hands the operation to a worker: a fresh random token, whose SHA-256 only is kept.</item>
/// <item><see cref="Claim"/>: the worker takes it with that token, in its own project; the token is spent by any change of
/// owner, so it is good only while the process that offered it still owns the operation, and an operation that a live
/// process runs can never be taken. Recovery takes an operation from an owner that is gone, naming that owner.</item>
/// <item><see cref="Release"/>: the operation is over.</item>
/// </list>
/// </summary>
internal static class OperationClaims
{
    /// <summary>Records <paramref name="owner"/> as running <paramref name="operation"/> on a backup that runs none (or runs the same, given up).</summary>
    public static bool Begin(Db db, string backupId, string operation, OperationOwner owner) =>
        db.Execute("UPDATE backups SET operation = $op, owner_host = $h, owner_pid = $pid, owner_started_at = $since, heartbeat_at = $since, claim_token = NULL " +
                   "WHERE id = $id AND deleted = 0 AND (operation IS NULL OR operation = $op)",
            ("$op", operation), ("$h", owner.Host), ("$pid", owner.Pid), ("$since", Clock.ToStorage(owner.Since)), ("$id", backupId)) == 1;

    /// <summary>
    /// Starts a restore of <paramref name="backupId"/> into <paramref name="volumeId"/> owned by <paramref name="owner"/>
    /// (the caller has just moved the backup to restoring with a conditional status change), with progress reset.
    /// </summary>
    public static void BeginRestore(Db db, string backupId, string volumeId, OperationOwner owner) =>
        db.Execute("UPDATE backups SET restore_volume_id = $v, operation = 'restore', owner_host = $h, owner_pid = $pid, owner_started_at = $now, heartbeat_at = $now, progress_done = 0, progress_total = NULL WHERE id = $id",
            ("$v", volumeId), ("$h", owner.Host), ("$pid", owner.Pid), ("$now", Clock.ToStorage(owner.Since)), ("$id", backupId));

    /// <summary>A restore is over, however it ended: the backup is available again (unless deleted meanwhile) and has no owner.</summary>
    public static void EndRestore(Db db, string backupId) =>
        db.Execute("UPDATE backups SET status = CASE WHEN deleted = 1 THEN status ELSE 'available' END, operation = NULL, owner_host = NULL, owner_pid = NULL, updated_at = $now WHERE id = $id",
            ("$now", Clock.ToStorage(Clock.UtcNow)), ("$id", backupId));

    /// <summary>
    /// The owner <paramref name="owner"/> offers its operation on <paramref name="backupId"/> (of <paramref name="projectId"/>)
    /// to a worker. Returns the token to hand over, or null when the operation is not this owner's.
    /// </summary>
    public static string? Offer(Db db, string backupId, string projectId, OperationOwner owner)
    {
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var offered = db.Execute("UPDATE backups SET claim_token = $t WHERE id = $id AND deleted = 0 AND operation IS NOT NULL " +
                                 "AND project_id = $project AND owner_host = $h AND owner_pid = $pid",
            ("$t", Hash(token)), ("$id", backupId), ("$project", projectId), ("$h", owner.Host), ("$pid", owner.Pid)) == 1;
        return offered ? token : null;
    }

    /// <summary>Makes <paramref name="newOwner"/> the owner if <paramref name="claim"/> holds; false, with nothing changed, if not.</summary>
    public static bool Claim(Db db, OperationClaim claim, OperationOwner newOwner)
    {
        if (claim.Token is null && !claim.ByOwner)
        {
            return false;
        }
        var proof = claim.Token is not null
            ? "claim_token = $token"
            : "COALESCE(owner_host, '') = $fromHost AND COALESCE(owner_pid, 0) = $fromPid";
        // CAST: a null $project has no type PostgreSQL can infer from `IS NULL` (a recovery claim names no project).
        return db.Execute("UPDATE backups SET owner_host = $h, owner_pid = $pid, owner_started_at = $since, heartbeat_at = $since, claim_token = NULL " +
                          "WHERE id = $id AND deleted = 0 AND operation = $op AND (CAST($project AS TEXT) IS NULL OR project_id = $project) AND " + proof,
            ("$h", newOwner.Host), ("$pid", newOwner.Pid), ("$since", Clock.ToStorage(newOwner.Since)), ("$id", claim.BackupId),
            ("$op", claim.Operation), ("$project", claim.ProjectId), ("$token", claim.Token is null ? null : Hash(claim.Token)),
            ("$fromHost", claim.From?.Host ?? ""), ("$fromPid", claim.From?.Pid ?? 0)) == 1;
    }

    /// <summary>
    /// The owner <paramref name="owner"/> hands its operation on <paramref name="backupId"/> to the backup services of
    /// <paramref name="zone"/>: the operation waits with no owner until <see cref="ClaimQueued"/> gives it one. Only while
    /// this owner still owns it, and only when a service of the zone that can reach the operation's volume is up
    /// (reported since <paramref name="upSince"/>); false, with nothing changed, otherwise.
    /// </summary>
    public static bool Enqueue(Db db, string backupId, OperationOwner owner, string zone, DateTime upSince, string binary) =>
        db.Execute("UPDATE backups SET owner_host = NULL, owner_pid = NULL, owner_started_at = NULL, claim_token = NULL, queued_at = $now, queue_zone = $zone " +
                   "WHERE id = $id AND deleted = 0 AND operation IN ('create', 'restore') AND owner_host = $h AND owner_pid = $pid AND " +
                   ServiceCanTake("$zone"),
            ("$now", Clock.ToStorage(Clock.UtcNow)), ("$zone", zone), ("$id", backupId), ("$h", owner.Host), ("$pid", owner.Pid),
            ("$binary", binary), ("$since", Clock.ToStorage(upSince))) == 1;

    /// <summary>
    /// A backup service takes the oldest queued operation of its <paramref name="zone"/> whose volume it can reach (a shared
    /// volume, or one of its host), in one conditional UPDATE: of any number of services asking at once exactly one gets
    /// each operation (SQLite serialises writers; PostgreSQL skips the rows another transaction holds). Returns the backup
    /// id and operation, or null when nothing waits.
    /// </summary>
    public static (string BackupId, string Operation)? ClaimQueued(Db db, string zone, OperationOwner owner, string binary)
    {
        var rows = db.Query(
            "UPDATE backups SET owner_host = $h, owner_pid = $pid, owner_started_at = $since, heartbeat_at = $since, queued_at = NULL, queue_zone = NULL, " +
            "host = CASE WHEN operation = 'create' THEN $h ELSE host END " +
            "WHERE queued_at IS NOT NULL AND id = (SELECT b.id FROM backups b JOIN volumes v ON v.id = CASE WHEN b.operation = 'restore' THEN b.restore_volume_id ELSE b.volume_id END " +
            "WHERE b.deleted = 0 AND b.queued_at IS NOT NULL AND b.queue_zone = $zone AND (v.shared = 1 OR v.host = $h) " +
            // A disabled service (volume service set --disable) takes no work, as Cinder schedules none to it.
            "AND NOT EXISTS (SELECT 1 FROM services s WHERE s.host = $h AND s.binary = $binary AND s.deleted = 0 AND s.disabled = 1) " +
            "ORDER BY b.queued_at, b.id LIMIT 1" + db.Dialect.SkipLocked("b") + ") RETURNING id, operation",
            r => (r.GetString(0), r.GetString(1)),
            ("$h", owner.Host), ("$pid", owner.Pid), ("$since", Clock.ToStorage(owner.Since)), ("$zone", zone), ("$binary", binary));
        return rows.Count == 1 ? rows[0] : null;
    }

    /// <summary>
    /// True (as SQL) when an enabled backup service of <paramref name="zone"/> (an SQL expression) that can reach the
    /// volume of the backups row's operation has reported since <c>$since</c>.
    /// </summary>
    private static string ServiceCanTake(string zone) =>
        "EXISTS (SELECT 1 FROM services s JOIN volumes v ON v.id = CASE WHEN backups.operation = 'restore' THEN backups.restore_volume_id ELSE backups.volume_id END " +
        $"WHERE s.deleted = 0 AND s.disabled = 0 AND s.pid IS NOT NULL AND s.binary = $binary AND s.availability_zone = {zone} AND s.updated_at >= $since " +
        "AND (v.shared = 1 OR v.host = s.host))";

    /// <summary>
    /// The queued operations no service can take: queued before <paramref name="upSince"/>, and no enabled service of
    /// their zone that can reach their volume has reported since then (every one was killed, stopped or disabled).
    /// </summary>
    public static List<(string Id, string Operation, string Zone)> Stranded(Db db, string binary, DateTime upSince) => db.Query(
        "SELECT id, operation, queue_zone FROM backups WHERE deleted = 0 AND queued_at IS NOT NULL AND queued_at < $since AND NOT " + ServiceCanTake("backups.queue_zone") +
        " ORDER BY queued_at, id",
        r => (r.GetString(0), r.GetString(1), r.GetString(2)), ("$binary", binary), ("$since", Clock.ToStorage(upSince)));

    /// <summary>
    /// Takes a stranded operation (<see cref="Stranded"/>) out of the queue for <paramref name="owner"/>, only while it is
    /// still stranded: of several processes that find it at once exactly one gets it, and a service that came up meanwhile
    /// keeps its chance to take it.
    /// </summary>
    public static bool ClaimStranded(Db db, string backupId, OperationOwner owner, string binary, DateTime upSince) =>
        db.Execute("UPDATE backups SET owner_host = $h, owner_pid = $pid, owner_started_at = $now, heartbeat_at = $now, queued_at = NULL, queue_zone = NULL " +
                   "WHERE id = $id AND deleted = 0 AND queued_at IS NOT NULL AND queued_at < $since AND NOT " + ServiceCanTake("backups.queue_zone"),
            ("$h", owner.Host), ("$pid", owner.Pid), ("$now", Clock.ToStorage(Clock.UtcNow)), ("$id", backupId),
            ("$binary", binary), ("$since", Clock.ToStorage(upSince))) == 1;

    /// <summary>How many operations wait in the queue (of every zone).</summary>
    public static long QueuedCount(Db db) => db.ScalarLong("SELECT COUNT(*) FROM backups WHERE deleted = 0 AND queued_at IS NOT NULL");

    /// <summary>The owner's sign of life, for hosts that cannot check its pid.</summary>
    public static void Heartbeat(Db db, string backupId, OperationOwner owner) =>
        db.Execute("UPDATE backups SET heartbeat_at = $now WHERE id = $id AND owner_host = $h AND owner_pid = $pid",
            ("$now", Clock.ToStorage(Clock.UtcNow)), ("$id", backupId), ("$h", owner.Host), ("$pid", owner.Pid));

    /// <summary>The operation is over: no operation, owner or offer is left on the row.</summary>
    public static void Release(Db db, string backupId) =>
        db.Execute("UPDATE backups SET operation = NULL, owner_host = NULL, owner_pid = NULL, claim_token = NULL WHERE id = $id", ("$id", backupId));

    /// <summary>
    /// Operations in progress (not those waiting in the services' queue, which have no owner yet), with their owner as recorded (null when none is; a missing host or pid reads as "" or 0,
    /// as <see cref="Claim"/> compares them), for recovery to check.
    /// </summary>
    public static List<(string Id, string Operation, OperationOwner? Owner, DateTime? Heartbeat)> Running(Db db) => db.Query(
        "SELECT id, operation, owner_host, owner_pid, owner_started_at, heartbeat_at FROM backups WHERE deleted = 0 AND operation IS NOT NULL AND queued_at IS NULL",
        r => (r.Str("id"), r.Str("operation"),
            r.StrN("owner_host") is null && r.LongN("owner_pid") is null ? null
                : new OperationOwner(r.StrN("owner_host") ?? "", (int)(r.LongN("owner_pid") ?? 0), r.TimeN("owner_started_at") ?? DateTime.MinValue),
            r.TimeN("heartbeat_at")));

    /// <summary>
    /// True while <paramref name="owner"/> (its host and pid) still owns the running operation on the backup; false once
    /// the operation was taken from it (a peer judged it gone: a host paused past service_down_time) or is over.
    /// </summary>
    public static bool IsOwnedBy(Db db, string backupId, OperationOwner owner) =>
        db.ScalarLong("SELECT COUNT(*) FROM backups WHERE id = $id AND operation IS NOT NULL AND owner_host = $h AND owner_pid = $pid",
            ("$id", backupId), ("$h", owner.Host), ("$pid", owner.Pid)) == 1;

    /// <summary>The pid of the process that owns the backup's running operation, if any.</summary>
    public static int? OwnerPid(Db db, string backupId) =>
        (int?)(long?)db.Scalar("SELECT owner_pid FROM backups WHERE id = $id AND operation IS NOT NULL", ("$id", backupId));

    /// <summary>Gives up a claim that could not be acted on (the repository did not answer): the next process to start tries again.</summary>
    public static void Unclaim(Db db, string backupId, OperationOwner owner) =>
        db.Execute("UPDATE backups SET owner_host = NULL, owner_pid = NULL, owner_started_at = NULL WHERE id = $id AND owner_host = $h AND owner_pid = $pid",
            ("$id", backupId), ("$h", owner.Host), ("$pid", owner.Pid));

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))).ToLowerInvariant();
}
