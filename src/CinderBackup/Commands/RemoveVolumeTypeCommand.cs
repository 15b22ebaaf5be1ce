using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

namespace CinderBackup.Commands;

/// <summary>
/// Deletes volume types (admin only), with Cinder's refusals: never __DEFAULT__, never a type a volume (of any project)
/// has. Cinder has no force-delete for a type, so -Force skips the confirmation instead (-Confirm still asks).
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VolumeType", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(VolumeType))]
public sealed class RemoveVolumeTypeCommand : CinderBackupCmdlet
{
    /// <summary>Names or IDs; a piped type binds its Id, a piped volume its VolumeType.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    public string[] VolumeType { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var target in VolumeType)
        {
            Try(target, () =>
            {
                var type = Engine.VolumeTypes.Get(target);
                if (!ConfirmedUnlessForced(Force, $"{type.Name} ({type.Id})", "Remove volume type"))
                {
                    return;
                }
                var removed = Engine.VolumeTypes.Delete(type.Id);
                if (PassThru)
                {
                    WriteObject(removed);
                }
            });
        }
    }
}
