using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

namespace CinderBackup.Commands;

/// <summary>Deletes a volume. A file-pool image is deleted; a registered path is only forgotten.</summary>
[Cmdlet(VerbsCommon.Remove, "BlockVolume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByVolume)]
[OutputType(typeof(BlockVolume))]
public sealed class RemoveBlockVolumeCommand : VolumeTargetCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        Try(TargetName, () =>
        {
            var volume = ResolveTarget();
            var action = volume.Backend == "path" ? $"Remove volume (forget; '{volume.Path}' is kept)" : "Remove volume and delete its image";
            if (!Confirmed(Describe(volume), action))
            {
                return;
            }
            var removed = Engine.Volumes.Delete(volume.Id);
            if (PassThru)
            {
                WriteObject(removed);
            }
        });
    }
}
