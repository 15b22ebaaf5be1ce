using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Commands;

/// <summary>Lists snapshots, filtered by name or ID (wildcards allowed), snapshot ID, or volume.</summary>
[Cmdlet(VerbsCommon.Get, "VolumeSnapshot")]
[OutputType(typeof(VolumeSnapshot))]
public sealed class GetVolumeSnapshotCommand : CinderBackupCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SnapshotCompleter))]
    public string[]? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SnapshotCompleter))]
    public string[]? SnapshotId { get; set; }

    /// <summary>Only snapshots of this volume (name or ID); binds from a piped volume's VolumeId.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("VolumeId")]
    [ArgumentCompleter(typeof(VolumeCompleter))]
    public string? Volume { get; set; }

    [Parameter]
    public SwitchParameter AllProjects { get; set; }

    protected override void ProcessRecord()
    {
        IReadOnlyList<VolumeSnapshot> snapshots;
        try
        {
            snapshots = Engine.Snapshots.List(Volume, AllProjects);
        }
        catch (CinderBackupException e) when (e.Kind == ErrorKind.NotFound)
        {
            WriteError(ErrorRecordFactory.Create(e, Volume));
            return;
        }
        catch (Exception e)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(e));
            return;
        }
        if (SnapshotId is not null)
        {
            snapshots = snapshots.Where(s => SnapshotId.Contains(s.Id)).ToList();
            foreach (var missing in SnapshotId.Where(id => snapshots.All(s => s.Id != id)))
            {
                WriteError(ErrorRecordFactory.Create(new CinderBackupException(ErrorIds.SnapshotNotFound, ErrorKind.NotFound,
                    $"No snapshot with a name or ID of '{missing}' exists.", missing)));
            }
        }
        if (Name is null)
        {
            WriteObject(snapshots, enumerateCollection: true);
            return;
        }
        var matches = NameFilter.Apply(snapshots, Name, s => s.Name, s => s.Id, pattern =>
            WriteError(ErrorRecordFactory.Create(new CinderBackupException(ErrorIds.SnapshotNotFound, ErrorKind.NotFound,
                $"No snapshot with a name or ID of '{pattern}' exists.", pattern))));
        WriteObject(matches.ToList(), enumerateCollection: true);
    }
}
