using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Volumes;

namespace CinderBackup.Commands;

/// <summary>
/// Takes a point-in-time snapshot of a volume (reflink where possible, else a sparse copy). An attached
/// volume asks for confirmation, because the snapshot is only crash-consistent; -Force skips the question.
/// </summary>
[Cmdlet(VerbsCommon.New, "VolumeSnapshot", SupportsShouldProcess = true, DefaultParameterSetName = ByVolume)]
[OutputType(typeof(VolumeSnapshot))]
public sealed class NewVolumeSnapshotCommand : VolumeTargetCmdlet
{
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter]
    public string? Description { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        Try(TargetName, () =>
        {
            var volume = ResolveTarget();
            if (!ShouldProcess(Describe(volume), $"Create snapshot '{Name}'"))
            {
                return;
            }
            var inUse = volume.Status == VolumeStatus.InUse;
            if (inUse && !Force && !ShouldContinue(
                    $"Volume {Describe(volume)} is in use ({volume.AttachedTo.Replace("\n", "; ")}). The snapshot will be crash-consistent, not application-consistent. Continue?",
                    "Snapshot an attached volume"))
            {
                return;
            }
            WriteObject(Engine.Snapshots.Create(volume.Id, Name, Description, force: inUse, Cancellation));
        });
    }
}
