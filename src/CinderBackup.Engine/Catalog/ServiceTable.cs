using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Catalog;

/// <summary>SQL for the services table (one row per host and binary, as Cinder's services report to the database).</summary>
internal static class ServiceTable
{
    /// <summary>Records a report of <paramref name="host"/>: inserts its row, or counts one more report on it.</summary>
    public static void Report(Db db, string host, string binary, string zone, int pid, DateTime now) =>
        db.Execute(
            """
            INSERT INTO services (host, binary, topic, availability_zone, report_count, pid, created_at, updated_at)
            VALUES ($host, $binary, $binary, $zone, 1, $pid, $now, $now)
            ON CONFLICT (host, binary, deleted) DO UPDATE SET
                availability_zone = excluded.availability_zone, report_count = services.report_count + 1, pid = excluded.pid, updated_at = excluded.updated_at
            """,
            ("$host", host), ("$binary", binary), ("$zone", zone), ("$pid", pid), ("$now", Clock.ToStorage(now)));

    /// <summary>A service that stops cleanly says so (no pid): it is down at once, and gets no more work queued.</summary>
    public static void Stopped(Db db, string host, string binary, int pid) =>
        db.Execute("UPDATE services SET pid = NULL WHERE host = $host AND binary = $binary AND deleted = 0 AND pid = $pid",
            ("$host", host), ("$binary", binary), ("$pid", pid));

    /// <summary>Whether <paramref name="host"/> has a running service of <paramref name="binary"/> that reported since <paramref name="since"/>.</summary>
    public static bool IsUp(Db db, string host, string binary, DateTime since) =>
        db.ScalarLong("SELECT COUNT(*) FROM services WHERE deleted = 0 AND host = $host AND binary = $binary AND pid IS NOT NULL AND updated_at >= $since",
            ("$host", host), ("$binary", binary), ("$since", Clock.ToStorage(since))) > 0;

    /// <summary>
    /// Enables or disables the service of <paramref name="binary"/> on <paramref name="host"/> (Cinder keeps the last
    /// reason when a service is enabled again). Returns false when there is no such service.
    /// </summary>
    public static bool SetDisabled(Db db, string host, string binary, bool disabled, string? reason) =>
        db.Execute("UPDATE services SET disabled = $d, disabled_reason = CASE WHEN $d = 1 THEN $r ELSE disabled_reason END " +
            "WHERE host = $host AND binary = $binary AND deleted = 0",
            ("$d", disabled ? 1 : 0), ("$r", reason), ("$host", host), ("$binary", binary)) > 0;

    /// <summary>The services not deleted, by binary then host.</summary>
    public static List<ServiceRow> List(Db db) =>
        db.Query("SELECT host, binary, availability_zone, disabled, updated_at, pid FROM services WHERE deleted = 0 ORDER BY binary, host",
            r => new ServiceRow(r.Str("host"), r.Str("binary"), r.Str("availability_zone"), r.Bool("disabled"), r.TimeN("updated_at"), (int?)r.LongN("pid")));
}
