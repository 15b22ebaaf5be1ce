using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Operations;

/// <summary>
/// The services table: a backup service (`service run`, Start-BackupService) reports its host (binary cinder-backup,
/// zone, pid, heartbeat every report_interval), as Cinder's services report to the database. State is up while reports
/// are younger than service_down_time and the service has not said it stopped.
/// </summary>
internal static class ServiceRegistry
{
    public const string Binary = "cinder-backup";

    public static void Heartbeat(Db db, string host, string zone) =>
        ServiceTable.Report(db, host, Binary, zone, Environment.ProcessId, Clock.UtcNow);

    public static void Stopped(Db db, string host) => ServiceTable.Stopped(db, host, Binary, Environment.ProcessId);

    /// <summary>The oldest report time of a service that is up now.</summary>
    public static DateTime UpSince(int downAfterSeconds) => Clock.UtcNow.AddSeconds(-downAfterSeconds);

    public static List<BackupService> List(Db db, int downAfterSeconds)
    {
        var now = Clock.UtcNow;
        return ServiceTable.List(db).Select(r => new BackupService
        {
            Binary = r.Binary,
            Host = r.Host,
            Zone = r.Zone,
            Status = r.Disabled ? "disabled" : "enabled",
            State = r.Pid is not null && r.UpdatedAt is DateTime u && (now - u).TotalSeconds <= downAfterSeconds ? "up" : "down",
            UpdatedAtUtc = r.UpdatedAt,
            ProcessId = r.Pid,
        }).ToList();
    }
}
