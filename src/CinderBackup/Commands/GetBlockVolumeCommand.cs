using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Commands;

/// <summary>Lists volumes, filtered by name or ID (wildcards allowed), status, or the ID of a piped object.</summary>
[Cmdlet(VerbsCommon.Get, "BlockVolume")]
[OutputType(typeof(BlockVolume))]
public sealed class GetBlockVolumeCommand : CinderBackupCmdlet
{
    private bool _nameOnCommandLine;

    /// <summary>Names or IDs (wildcards allowed); binds from strings on the pipeline ('vol_1' | Get-BlockVolume).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VolumeCompleter))]
    public string[]? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VolumeCompleter))]
    public string[]? VolumeId { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VolumeStatusCompleter))]
    public string? Status { get; set; }

    [Parameter]
    public SwitchParameter AllProjects { get; set; }

    // Only what the command line bound is set here, before any pipeline input.
    protected override void BeginProcessing() => _nameOnCommandLine = Name is not null;

    protected override void ProcessRecord()
    {
        if (VolumeId is not null && !_nameOnCommandLine)
        {
            // A piped object with a VolumeId (a snapshot, a backup) also binds -Name, through its ToString(): ignore that.
            Name = null;
        }
        IReadOnlyList<BlockVolume> volumes;
        try
        {
            volumes = Engine.Volumes.List(AllProjects, Status);
        }
        catch (Exception e)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(e));
            return;
        }
        if (VolumeId is not null)
        {
            foreach (var id in VolumeId)
            {
                var match = volumes.FirstOrDefault(v => v.Id == id);
                if (match is null)
                {
                    Try(id, () => match = Engine.Volumes.Get(id));
                }
                if (match is not null && Matches(match))
                {
                    WriteObject(match);
                }
            }
            return;
        }
        if (Name is null)
        {
            WriteObject(volumes, enumerateCollection: true);
            return;
        }
        var matches = NameFilter.Apply(volumes, Name, v => v.Name, v => v.Id, pattern =>
            WriteError(ErrorRecordFactory.Create(new CinderBackupException(ErrorIds.VolumeNotFound, ErrorKind.NotFound,
                $"No volume with a name or ID of '{pattern}' exists.", pattern))));
        WriteObject(matches.ToList(), enumerateCollection: true);
    }

    private bool Matches(BlockVolume v) =>
        (Status is null || v.Status == Status) && (Name is null || Name.Any(n => new WildcardPattern(n, WildcardOptions.IgnoreCase).IsMatch(v.Name ?? "")));
}
