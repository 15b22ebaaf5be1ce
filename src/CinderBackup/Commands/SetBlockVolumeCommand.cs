using System.Collections;
using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;

namespace CinderBackup.Commands;

/// <summary>Renames a volume, changes its description or metadata, or extends it (-Size, file-pool volumes only).</summary>
[Cmdlet(VerbsCommon.Set, "BlockVolume", SupportsShouldProcess = true, DefaultParameterSetName = ByVolume)]
[OutputType(typeof(BlockVolume))]
public sealed class SetBlockVolumeCommand : VolumeTargetCmdlet
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    public string? Description { get; set; }

    [Parameter]
    [ValidateRange(1, VolumeApi.MaxSizeGiB)]
    public int? Size { get; set; }

    [Parameter]
    public Hashtable? Metadata { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        Try(TargetName, () =>
        {
            var volume = ResolveTarget();
            var changes = new List<string>();
            if (Name is not null) changes.Add($"name '{Name}'");
            if (Description is not null) changes.Add("description");
            if (Metadata is not null) changes.Add("metadata");
            if (Size is int s) changes.Add($"size {s} GiB");
            if (!Confirmed(Describe(volume), $"Set volume {string.Join(", ", changes)}"))
            {
                return;
            }
            // Inputs first, then the extend (which may be refused), then the update: a refusal changes nothing.
            VolumeApi.CheckUpdate(Name, Description, ToDictionary(Metadata));
            if (Size is int size)
            {
                volume = Engine.Volumes.Extend(volume.Id, size);
            }
            if (Name is not null || Description is not null || Metadata is not null)
            {
                volume = Engine.Volumes.Update(volume.Id, Name, Description, ToDictionary(Metadata));
            }
            if (PassThru)
            {
                WriteObject(volume);
            }
        });
    }
}
