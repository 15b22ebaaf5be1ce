using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

namespace CinderBackup.Commands;

/// <summary>Creates a volume type (admin only, as in Cinder); its name must be new.</summary>
[Cmdlet(VerbsCommon.New, "VolumeType", SupportsShouldProcess = true)]
[OutputType(typeof(VolumeType))]
public sealed class NewVolumeTypeCommand : CinderBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Description { get; set; }

    /// <summary>Marks the type private (recorded only: every project may use every type), as --private does.</summary>
    [Parameter]
    public SwitchParameter Private { get; set; }

    protected override void ProcessRecord()
    {
        Try(Name, () =>
        {
            if (Confirmed(Name, "Create volume type"))
            {
                WriteObject(Engine.VolumeTypes.Create(Name, Description, isPublic: !Private));
            }
        });
    }
}
