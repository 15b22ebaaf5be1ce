using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

namespace CinderBackup.Commands;

/// <summary>Deletes a snapshot (it must be available or error).</summary>
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
            var removed = Engine.Snapshots.Delete(snapshot.Id);
            if (PassThru)
            {
                WriteObject(removed);
            }
        });
    }
}
