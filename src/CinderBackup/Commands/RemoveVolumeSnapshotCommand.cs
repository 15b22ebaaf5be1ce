using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Commands;

/// <summary>
/// Deletes a snapshot (it must be available or error). A snapshot in another status (creating, deleting,
/// error_deleting) can only be force-deleted (admin): that asks for confirmation first, and -Force skips the question,
/// as on Remove-VolumeBackup and Remove-BlockVolume.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VolumeSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = BySnapshot)]
[OutputType(typeof(VolumeSnapshot))]
public sealed class RemoveVolumeSnapshotCommand : CinderBackupCmdlet
{
    private const string BySnapshot = "BySnapshot";
    private const string ByInputObject = "ByInputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = BySnapshot, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("SnapshotId")]
    [ArgumentCompleter(typeof(SnapshotCompleter))]
    public string Snapshot { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = ByInputObject, ValueFromPipeline = true)]
    [ValidateNotNull]
    public VolumeSnapshot? InputObject { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var target = InputObject?.Id ?? Snapshot;
        Try(target, () =>
        {
            var snapshot = Engine.Snapshots.Get(target);
            if (!Confirmed($"{Describe(snapshot)} of volume {snapshot.VolumeId}", "Remove snapshot"))
            {
                return;
            }
            var force = SnapshotApi.DeleteNeedsForce(snapshot);
            if (force && !ForceOrConfirm(Force,
                    $"Snapshot {Describe(snapshot)} is {snapshot.Status}. Removing it now force-deletes it. Continue?", "Force-delete a snapshot",
                    () => new CinderBackupException(ErrorIds.SnapshotInvalidState, ErrorKind.InvalidState,
                        $"Snapshot {Describe(snapshot)} is {snapshot.Status}; removing it force-deletes it, and this session cannot ask for confirmation: add -Force to force-delete it.", snapshot.Id)))
            {
                return;
            }
            var removed = Engine.Snapshots.Delete(snapshot.Id, force);
            if (PassThru)
            {
                WriteObject(removed);
            }
        });
    }
}
