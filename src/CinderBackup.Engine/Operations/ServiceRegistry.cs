using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Operations;

/// <summary>
/// The services table: a process that works with the catalog reports its host (binary cinder-backup, zone,
/// heartbeat), as Cinder's services report to the database. State is up while reports are younger than
/// service_down_time.
/// </summary>
internal static class ServiceRegistry
{
    public const string Binary = "cinder-backup";

    public static void Heartbeat(Db db, string host, string zone)
    {
        var now = Clock.ToStorage(Clock.UtcNow);
        db.Execute(
            """
            INSERT INTO services (host, binary, topic, availability_zone, report_count, pid, created_at, updated_at)
            VALUES ($host, $binary, $binary, $zone, 1, $pid, $now, $now)
            ON CONFLICT (host, binary, deleted) DO UPDATE SET
                availability_zone = excluded.availability_zone, report_count = report_count + 1, pid = excluded.pid, updated_at = excluded.updated_at
            """,
            ("$host", host), ("$binary", Binary), ("$zone", zone), ("$pid", Environment.ProcessId), ("$now", now));
    }

    public static List<BackupService> List(Db db, int downAfterSeconds)
    {
        var now = Clock.UtcNow;
        return db.Query("SELECT host, binary, availability_zone, disabled, updated_at, pid FROM services WHERE deleted = 0 ORDER BY binary, host", r =>
        {
            var updated = r.TimeN("updated_at");
            return new BackupService
            {
                Binary = r.Str("binary"),
                Host = r.Str("host"),
                Zone = r.Str("availability_zone"),
                Status = r.Bool("disabled") ? "disabled" : "enabled",
                State = updated is DateTime u && (now - u).TotalSeconds <= downAfterSeconds ? "up" : "down",
                UpdatedAtUtc = updated,
                ProcessId = (int?)r.LongN("pid"),
            };
        });
    }
}
