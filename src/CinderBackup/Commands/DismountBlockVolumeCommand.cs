using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

namespace CinderBackup.Commands;

/// <summary>Detaches a volume from its instance: the volume becomes available.</summary>
[Cmdlet(VerbsData.Dismount, "BlockVolume", SupportsShouldProcess = true, DefaultParameterSetName = ByVolume)]
[OutputType(typeof(BlockVolume))]
public sealed class DismountBlockVolumeCommand : VolumeTargetCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        Try(TargetName, () =>
        {
            var volume = ResolveTarget();
            var from = volume.AttachedTo.Length > 0 ? $" ({volume.AttachedTo.Replace("\n", "; ")})" : "";
            if (!Confirmed(Describe(volume) + from, "Detach volume"))
            {
                return;
            }
            var detached = Engine.Volumes.Detach(volume.Id);
            if (PassThru)
            {
                WriteObject(detached);
            }
        });
    }
}
