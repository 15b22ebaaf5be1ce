using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;

namespace CinderBackup.Commands;

/// <summary>
/// Deletes backups and their objects. Several (-Backup a,b,c or the pipeline) are collected and deleted at the end,
/// each incremental before its parent (deepest, then newest first) whatever the order given, as
/// <c>volume backup delete A B C</c> does; a failure is reported and the rest still deleted. A backup that is being
/// created or restored can only be force-deleted (admin), which cancels the running operation: that asks for
/// confirmation first, and -Force skips the question. A backup with incremental children left is never deleted.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VolumeBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByBackup)]
[OutputType(typeof(VolumeBackup))]
public sealed class RemoveVolumeBackupCommand : BackupsTargetCmdlet
{
    private readonly List<string> _targets = new();

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    // Only names and IDs are held (bounded by the input); the order can only be known once all have come.
    protected override void ProcessRecord() => _targets.AddRange(TargetIds);

    protected override void EndProcessing()
    {
        IReadOnlyList<string> ordered;
        try
        {
            ordered = Engine.Backups.DeleteOrder(_targets);
        }
        catch (Exception e)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(e));
            return;
        }
        foreach (var target in ordered)
        {
            Try(target, () => Remove(target));
        }
    }

    private void Remove(string target)
    {
        var backup = Engine.Backups.Get(target);
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
    }
}
