using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

namespace CinderBackup.Commands;

/// <summary>Attaches a volume to an instance on a device: the volume becomes in-use.</summary>
[Cmdlet(VerbsData.Mount, "BlockVolume", SupportsShouldProcess = true, DefaultParameterSetName = ByVolume)]
[OutputType(typeof(BlockVolume))]
public sealed class MountBlockVolumeCommand : VolumeTargetCmdlet
{
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Instance", "ServerId")]
    public string InstanceId { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Device { get; set; } = "";

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        Try(TargetName, () =>
        {
            var volume = ResolveTarget();
            if (!Confirmed(Describe(volume), $"Attach to {InstanceId} on {Device}"))
            {
                return;
            }
            var attached = Engine.Volumes.Attach(volume.Id, InstanceId, Device);
            if (PassThru)
            {
                WriteObject(attached);
            }
        });
    }
}
