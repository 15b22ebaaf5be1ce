using System.Collections;
using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;

namespace CinderBackup.Commands;

/// <summary>
/// Renames volumes, changes their description or metadata, extends them (-Size, file-pool volumes only), or resets
/// their state (-State, admin only: Cinder's reset-state, e.g. available after a failed restore left it
/// error_restoring), each on its own (-Volume a,b,c or the pipeline): a failure is reported and the rest still done,
/// as <c>volume set --state</c> does.
/// </summary>
[Cmdlet(VerbsCommon.Set, "BlockVolume", SupportsShouldProcess = true, DefaultParameterSetName = ByVolume)]
[OutputType(typeof(BlockVolume))]
public sealed class SetBlockVolumeCommand : CinderBackupCmdlet
{
    private const string ByVolume = "ByVolume";
    private const string ByInputObject = "ByInputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByVolume, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("VolumeId")]
    [ArgumentCompleter(typeof(VolumeCompleter))]
    public string[] Volume { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ByInputObject, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public BlockVolume[]? InputObject { get; set; }

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

    /// <summary>Cinder's volume statuses (VolumeStatus.All); deleting, error_deleting and detaching are refused by the engine.</summary>
    [Parameter]
    [ValidateSet("creating", "available", "deleting", "error", "error_deleting", "error_managing", "managing", "attaching", "in-use",
        "detaching", "maintenance", "restoring-backup", "error_restoring", "reserved", "awaiting-transfer", "backing-up",
        "error_backing-up", "error_extending", "downloading", "uploading", "retyping", "extending", IgnoreCase = true)]
    public string? State { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var changes = new List<string>();
        if (Name is not null) changes.Add($"name '{Name}'");
        if (Description is not null) changes.Add("description");
        if (Metadata is not null) changes.Add("metadata");
        if (Size is int s) changes.Add($"size {s} GiB");
        if (State is not null) changes.Add($"state {State}");
        foreach (var target in InputObject is null ? Volume : InputObject.Select(v => v.Id))
        {
            Try(target, () =>
            {
                var volume = Engine.Volumes.Get(target);
                if (!Confirmed(Describe(volume), $"Set volume {string.Join(", ", changes)}"))
                {
                    return;
                }
                volume = Engine.Volumes.Set(volume.Id, new VolumeChanges
                {
                    Name = Name, Description = Description, Metadata = ToDictionary(Metadata), SizeGiB = Size, State = State,
                });
                if (PassThru)
                {
                    WriteObject(volume);
                }
            });
        }
    }
}
