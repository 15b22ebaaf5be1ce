using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Errors;
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
            if (!Confirmed(Describe(volume), $"Create snapshot '{Name}'"))
            {
                return;
            }
            var inUse = volume.Status == VolumeStatus.InUse;
            if (inUse && !ForceOrConfirm(Force,
                    $"Volume {Describe(volume)} is in use ({volume.AttachedTo.Replace("\n", "; ")}). The snapshot will be crash-consistent, not application-consistent. Continue?",
                    "Snapshot an attached volume",
                    () => new CinderBackupException(ErrorIds.VolumeInUse, ErrorKind.InvalidState,
                        $"Invalid volume: Volume {volume.Id} status must be available, but current status is: in-use. Volume {Describe(volume)} is attached ({volume.AttachedTo.Replace("\n", "; ")}) and this session cannot ask for confirmation: add -Force to snapshot it (crash-consistent).", volume.Id)))
            {
                return;
            }
            WriteObject(Engine.Snapshots.Create(volume.Id, Name, Description, force: inUse, Cancellation));
        });
    }
}
