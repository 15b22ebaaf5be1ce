using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Commands;

/// <summary>Lists volumes, filtered by name or ID (wildcards allowed), status, or the ID of a piped object.</summary>
[Cmdlet(VerbsCommon.Get, "BlockVolume")]
[OutputType(typeof(BlockVolume))]
public sealed class GetBlockVolumeCommand : CinderBackupCmdlet
{
    [Parameter(Position = 0)]
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
    public string? Status { get; set; }

    [Parameter]
    public SwitchParameter AllProjects { get; set; }

    protected override void ProcessRecord()
    {
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
