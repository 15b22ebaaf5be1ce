using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

namespace CinderBackup.Commands;

/// <summary>Waits until backups are no longer creating, restoring or deleting, and returns them as they then are.</summary>
[Cmdlet(VerbsLifecycle.Wait, "VolumeBackup", DefaultParameterSetName = ByBackup)]
[OutputType(typeof(VolumeBackup))]
public sealed class WaitVolumeBackupCommand : BackupTargetCmdlet
{
    /// <summary>Seconds to wait at most; a timeout is an error (WaitTimeout).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Timeout { get; set; }

    protected override void ProcessRecord()
    {
        Try(TargetId, () =>
        {
            var backup = ResolveTarget();
            WriteVerbose($"Waiting for backup {Describe(backup)} ({backup.Status}).");
            var done = Engine.Backups.Wait(backup.Id, Timeout is int t ? TimeSpan.FromSeconds(t) : null, Cancellation);
            WriteObject(done);
        });
    }
}
