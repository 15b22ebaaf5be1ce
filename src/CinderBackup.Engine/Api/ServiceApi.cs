using CinderBackup.Engine.Operations;

namespace CinderBackup.Engine.Api;

/// <summary>Backup services: which hosts run operations, whether they are up, and running this process as one.</summary>
public sealed class ServiceApi
{
    private readonly BackupEngine _engine;

    internal ServiceApi(BackupEngine engine) => _engine = engine;

    public IReadOnlyList<BackupService> List() =>
        _engine.Catalog.Read(db => ServiceRegistry.List(db, _engine.Config.ServiceDownTimeSeconds));

    /// <summary>
    /// Runs this process as a backup service of its host and zone (the configuration's host and
    /// storage_availability_zone, or those the engine was opened with) until <paramref name="stop"/>: it reports every
    /// report_interval, runs the operations queued for its zone whose volume it can reach, and cleans up after hosts
    /// that are down. <paramref name="log"/> receives one line per event (start, operation taken, done, failed, clean-up).
    /// </summary>
    public void Run(Action<string> log, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(log);
        new ServiceRunner(_engine.Session, log).Run(stop);
    }
}
