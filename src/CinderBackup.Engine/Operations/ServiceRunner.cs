using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Operations;

/// <summary>
/// A backup service (`cinder-backup service run`, Start-BackupService), as Cinder's cinder-backup service: it reports
/// its host and zone every report_interval, takes the queued operations of its zone whose volume it can reach, one at
/// a time, through the catalog's one queue claim (<see cref="OperationClaims.ClaimQueued"/>), and, on each report,
/// cleans up after owners that are gone (<see cref="Recovery"/>): a peer host silent for service_down_time, or a dead
/// process of its own host. Each clean-up is a claim from exactly the gone owner, so of several live peers one does it.
/// Stopping (<paramref name="stop"/>) ends the loop after the operation in progress and marks the service stopped.
/// </summary>
internal sealed class ServiceRunner
{
    private readonly EngineSession _session;
    private readonly Action<string> _log;

    public ServiceRunner(EngineSession session, Action<string> log)
    {
        _session = session;
        _log = log;
    }

    private string Host => _session.Config.Host;

    private string Zone => _session.Config.AvailabilityZone;

    /// <summary>How long an idle service waits before it looks at the queue again.</summary>
    internal static TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public void Run(CancellationToken stop)
    {
        _session.Catalog.Write(db => ServiceRegistry.Heartbeat(db, Host, Zone));
        _log($"Backup service started: host {Host}, zone {Zone}, pid {Environment.ProcessId}, catalog {_session.Catalog.Path}.");
        using var keeperStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var keeper = new Thread(() => KeepAlive(keeperStop.Token)) { IsBackground = true, Name = "cinder-backup service heartbeat" };
        var cleaner = new Thread(() => CleanUp(keeperStop.Token)) { IsBackground = true, Name = "cinder-backup service clean-up" };
        keeper.Start();
        cleaner.Start();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var next = Try(() => _session.Catalog.Write(db => OperationClaims.ClaimQueued(db, Zone, OperationOwner.Current(Host), ServiceRegistry.Binary)));
                if (next is { } work)
                {
                    RunOne(work.BackupId, work.Operation);
                }
                else
                {
                    stop.WaitHandle.WaitOne(PollInterval);
                }
            }
        }
        finally
        {
            keeperStop.Cancel();
            keeper.Join();
            cleaner.Join();
            Try(() => { _session.Catalog.Write(db => ServiceRegistry.Stopped(db, Host)); return true; });
            _log($"Backup service stopped: host {Host}.");
        }
    }

    /// <summary>Runs one claimed operation as its project's user, as Cinder's service runs the API's request.</summary>
    private void RunOne(string backupId, string operation)
    {
        var row = _session.Catalog.Read(db => BackupTable.Get(db, backupId));
        if (row is null)
        {
            return;
        }
        _log($"Backup {backupId}: {operation} taken from the queue (project {row.ProjectId}).");
        var context = new BackupContext(row.ProjectId, row.UserId, false, "backup service");
        var session = new EngineSession(_session.Config, context, _session.Catalog, _session.Detail);
        // The service's catalog role sees every project, so it checks what a queued row names: a project's own row,
        // edited by hand, must not make the service read or overwrite another project's volume.
        var volumeId = operation == "restore" ? row.RestoreVolumeId : row.VolumeId;
        var volume = volumeId is null ? null : _session.Catalog.Read(db => VolumeTable.Get(db, volumeId));
        if (volume is null || volume.ProjectId != row.ProjectId)
        {
            var reason = $"refused by backup service {Host}: volume {volumeId} is not a volume of project {row.ProjectId}";
            _log($"Backup {backupId}: {reason}.");
            Try(() => Recovery.Clean(session, backupId, reason));
            return;
        }
        try
        {
            if (operation == "restore")
            {
                ClaimedOperation.Restore(session, row, null, CancellationToken.None);
            }
            else
            {
                ClaimedOperation.Create(session, row, null, CancellationToken.None);
            }
            _log($"Backup {backupId}: {operation} done.");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log($"Backup {backupId}: {operation} failed: {e.Message}");
            // The operation's own failure path ran; if something escaped it, end the operation as recovery would, so it
            // is not left owned by a live service forever.
            var stillMine = Try(() => _session.Catalog.Read(db => BackupTable.Get(db, backupId)) is { Operation: not null } r &&
                r.OwnerHost == Host && r.OwnerPid == Environment.ProcessId);
            if (stillMine)
            {
                Try(() => Recovery.Clean(session, backupId, $"{operation} failed on backup service {Host}: {e.Message}"));
            }
        }
    }

    /// <summary>
    /// The heartbeat, every report_interval, on its own thread and catalog connection: nothing else the service does (an
    /// operation, a long clean-up) may delay it, since peers judge this host and what it owns by it (Recovery.IsGone).
    /// </summary>
    private void KeepAlive(CancellationToken stop)
    {
        using var catalog = CatalogOpener.Open(_session.Config);
        var interval = TimeSpan.FromSeconds(_session.Config.ReportIntervalSeconds);
        do
        {
            Try(() => { catalog.Write(db => ServiceRegistry.Heartbeat(db, Host, Zone)); return true; });
        }
        while (!stop.WaitHandle.WaitOne(interval));
    }

    /// <summary>The clean-up after gone owners, every report_interval, on its own thread and catalog connection.</summary>
    private void CleanUp(CancellationToken stop)
    {
        using var catalog = CatalogOpener.Open(_session.Config);
        var session = new EngineSession(_session.Config, _session.Context, catalog, _log); // what it cleans up is always logged
        var interval = TimeSpan.FromSeconds(_session.Config.ReportIntervalSeconds);
        do
        {
            var adopted = Try(() => Recovery.Run(session));
            foreach (var id in adopted ?? Array.Empty<string>())
            {
                _log($"Backup {id}: adopted as available (its commit point is complete).");
            }
        }
        while (!stop.WaitHandle.WaitOne(interval));
    }

    /// <summary>A busy or briefly unavailable catalog only delays the service; the next round tries again.</summary>
    private T? Try<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (CinderBackupException e)
        {
            _log($"Backup service: {e.Message}");
            return default;
        }
    }
}
