using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Commands;

/// <summary>
/// Deletes a volume. A file-pool image is deleted; a registered path is only forgotten. A volume whose status does not
/// allow a delete (creating, deleting, error_deleting, ...) can only be force-deleted (admin): that asks for
/// confirmation first, and -Force skips the question, as on Remove-VolumeBackup and Remove-VolumeSnapshot.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "BlockVolume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByVolume)]
[OutputType(typeof(BlockVolume))]
public sealed class RemoveBlockVolumeCommand : VolumeTargetCmdlet
{
    [Parameter]
    public SwitchParameter Force { get; set; }

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
            var force = VolumeApi.DeleteNeedsForce(volume);
            if (force && !ForceOrConfirm(Force,
                    $"Volume {Describe(volume)} is {volume.Status}. Removing it now force-deletes it. Continue?", "Force-delete a volume",
                    () => new CinderBackupException(ErrorIds.VolumeInvalidState, ErrorKind.InvalidState,
                        $"Volume {Describe(volume)} is {volume.Status}; removing it force-deletes it, and this session cannot ask for confirmation: add -Force to force-delete it.", volume.Id)))
            {
                return;
            }
            var removed = Engine.Volumes.Delete(volume.Id, force);
            if (PassThru)
            {
                WriteObject(removed);
            }
        });
    }
}
