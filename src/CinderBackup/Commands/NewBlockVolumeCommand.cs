using System.Collections;
using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;

namespace CinderBackup.Commands;

/// <summary>Creates a sparse raw volume image in the file pool.</summary>
[Cmdlet(VerbsCommon.New, "BlockVolume", SupportsShouldProcess = true)]
[OutputType(typeof(BlockVolume))]
public sealed class NewBlockVolumeCommand : CinderBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, VolumeApi.MaxSizeGiB)]
    [Alias("SizeGiB")]
    public int Size { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Description { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? AvailabilityZone { get; set; }

    /// <summary>The volume type, by name or ID (Get-VolumeType); default __DEFAULT__.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? VolumeType { get; set; }

    [Parameter]
    public Hashtable? Metadata { get; set; }

    protected override void ProcessRecord()
    {
        Try(Name, () =>
        {
            if (Confirmed($"{Name} ({Size} GiB)", "Create volume"))
            {
                WriteObject(Engine.Volumes.Create(Name, Size, Description, AvailabilityZone, ToDictionary(Metadata), VolumeType));
            }
        });
    }
}
