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

    public static void Heartbeat(Db db, string host, string zone) =>
        ServiceTable.Report(db, host, Binary, zone, Environment.ProcessId, Clock.UtcNow);

    public static List<BackupService> List(Db db, int downAfterSeconds)
    {
        var now = Clock.UtcNow;
        return ServiceTable.List(db).Select(r => new BackupService
        {
            Binary = r.Binary,
            Host = r.Host,
            Zone = r.Zone,
            Status = r.Disabled ? "disabled" : "enabled",
            State = r.UpdatedAt is DateTime u && (now - u).TotalSeconds <= downAfterSeconds ? "up" : "down",
            UpdatedAtUtc = r.UpdatedAt,
            ProcessId = r.Pid,
        }).ToList();
    }
}
