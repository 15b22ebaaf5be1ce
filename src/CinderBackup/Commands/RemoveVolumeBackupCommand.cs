using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;

namespace CinderBackup.Commands;

/// <summary>
/// Deletes a backup and its objects. A backup that is being created or restored can only be force-deleted
/// (admin), which cancels the running operation: that asks for confirmation first, and -Force skips the question.
/// Backups with incremental children are never deleted.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VolumeBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByBackup)]
[OutputType(typeof(VolumeBackup))]
public sealed class RemoveVolumeBackupCommand : BackupTargetCmdlet
{
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        Try(TargetId, () =>
        {
            var backup = ResolveTarget();
            if (!Confirmed(Describe(backup), "Remove backup"))
            {
                return;
            }
            var busy = backup.Status is not (BackupStatus.Available or BackupStatus.Error);
            if (busy && !ForceOrConfirm(Force,
                    $"Backup {Describe(backup)} is {backup.Status}. Removing it now force-deletes it and cancels the running operation. Continue?",
                    "Force-delete a busy backup",
                    () => new CinderBackupException(ErrorIds.BackupInvalidState, ErrorKind.InvalidState,
                        $"Backup {Describe(backup)} is {backup.Status}; removing it force-deletes it and cancels the running operation, and this session cannot ask for confirmation: add -Force to force-delete it.", backup.Id)))
            {
                return;
            }
            var removed = Engine.Backups.Delete(backup.Id, force: busy);
            if (PassThru)
            {
                WriteObject(removed);
            }
        });
    }
}
