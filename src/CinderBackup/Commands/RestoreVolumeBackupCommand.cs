using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Commands;

/// <summary>
/// Restores a backup (with its parents) to a new volume, or over an existing available volume (-Volume), which
/// asks for confirmation first; -Force skips that question. Every block written is checked against the backup.
/// </summary>
[Cmdlet(VerbsData.Restore, "VolumeBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByBackup)]
[OutputType(typeof(BackupRestoreResult))]
public sealed class RestoreVolumeBackupCommand : BackupTargetCmdlet
{
    /// <summary>The available volume to overwrite (name or ID); without it a new volume is created.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VolumeCompleter))]
    public string? Volume { get; set; }

    /// <summary>Name of the new volume (ignored with -Volume).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AvailabilityZone { get; set; }

    /// <summary>The new volume's type, by name or ID (default __DEFAULT__); not with -Volume, which keeps that volume's type.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? VolumeType { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter AsJob { get; set; }

    protected override void ProcessRecord()
    {
        Try(TargetId, () =>
        {
            if (Volume is not null && VolumeType is not null)
            {
                throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                    "-VolumeType is the type of a new volume; a restore over -Volume keeps that volume's type: give one of them.", VolumeType);
            }
            var backup = ResolveTarget();
            BlockVolume? target = Volume is null ? null : Engine.Volumes.Get(Volume);
            var destination = target is null ? $"a new volume '{Name ?? "restore_backup_" + backup.Id}'" : $"volume {Describe(target)}";
            if (!Confirmed(Describe(backup), $"Restore to {destination}"))
            {
                return;
            }
            if (target is not null && !ForceOrConfirm(Force,
                    $"All data on volume {Describe(target)} will be overwritten by backup {Describe(backup)}. Continue?",
                    "Overwrite a volume",
                    () => new CinderBackupException(ErrorIds.ConfirmationRequired, ErrorKind.InvalidState,
                        $"Restoring backup {Describe(backup)} overwrites all data on volume {Describe(target)} and this session cannot ask for confirmation: add -Force to overwrite it.", target.Id)))
            {
                return;
            }
            if (AsJob)
            {
                var started = Engine.Backups.StartRestore(backup.Id, target?.Id, Name, AvailabilityZone, volumeType: VolumeType);
                // With a backup service of the zone up, it does the restore and the job waits for it; else the job does it.
                StartJob($"Restore {backup.Name ?? backup.Id}", Engine.Backups.Enqueue(started.BackupId)
                    ? (engine, _, cancel) => engine.Backups.WaitRestore(started.BackupId, started.VolumeId, cancel)
                    : (engine, progress, cancel) => engine.Backups.RunRestore(started.BackupId, progress, cancel));
                return;
            }
            WriteObject(RunWithProgress("Restoring backup " + Describe(backup), "restoring",
                (progress, cancel) => Engine.Backups.Restore(backup.Id, target?.Id, Name, AvailabilityZone, progress, cancel, volumeType: VolumeType)));
        });
    }
}
