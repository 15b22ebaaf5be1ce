using System.Collections.Concurrent;
using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;

namespace CinderBackup.Commands;

/// <summary>
/// Runs this PowerShell process as a backup service of its host and zone (as `cinder-backup service run`) until the
/// pipeline is stopped (Ctrl+C, Stop-Job): it takes the operations queued for its zone and cleans up after hosts that
/// are down. Each event is written to the Information stream.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "BackupService", SupportsShouldProcess = true)]
[OutputType(typeof(BackupService))]
public sealed class StartBackupServiceCommand : CinderBackupCmdlet
{
    /// <summary>Name of this backup host (default: the configuration's host, then the machine name).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? HostName { get; set; }

    /// <summary>Availability zone this service serves (default: storage_availability_zone, then nova).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AvailabilityZone { get; set; }

    protected override void EndProcessing()
    {
        if (!ShouldProcess(HostName ?? Environment.MachineName, "Run as a backup service"))
        {
            return;
        }
        Try(HostName, () =>
        {
            using var engine = BackupEngine.Open(EngineOptions() with { Host = HostName, AvailabilityZone = AvailabilityZone });
            var lines = new ConcurrentQueue<string>();
            var run = Task.Run(() => engine.Services.Run(lines.Enqueue, Cancellation));
            var done = ((IAsyncResult)run).AsyncWaitHandle;
            while (true)
            {
                var finished = done.WaitOne(ProgressIntervalMs);
                while (!Stopping && lines.TryDequeue(out var line))
                {
                    WriteInformation(line, new[] { "CinderBackup.Service" });
                }
                FlushDetails();
                if (finished)
                {
                    break;
                }
            }
            run.GetAwaiter().GetResult();
            // Stopped: the service's own row (down now), so a job's output says which host ran and when it stopped.
            foreach (var s in engine.Services.List().Where(s => s.Host == engine.Config.Host))
            {
                WriteObject(s);
            }
        });
    }
}
