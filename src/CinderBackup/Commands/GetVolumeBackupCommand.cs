using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Commands;

/// <summary>Lists backups, filtered by name or ID (wildcards allowed), backup ID, status or volume.</summary>
[Cmdlet(VerbsCommon.Get, "VolumeBackup")]
[OutputType(typeof(VolumeBackup))]
public sealed class GetVolumeBackupCommand : CinderBackupCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupCompleter))]
    public string[]? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupCompleter))]
    public string[]? BackupId { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupStatusCompleter))]
    public string? Status { get; set; }

    /// <summary>Only backups of this volume (name or ID); binds from a piped volume's VolumeId.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("VolumeId")]
    [ArgumentCompleter(typeof(VolumeCompleter))]
    public string? Volume { get; set; }

    [Parameter]
    public SwitchParameter AllProjects { get; set; }

    protected override void ProcessRecord()
    {
        IReadOnlyList<VolumeBackup> backups;
        try
        {
            backups = Engine.Backups.List(AllProjects, status: Status, volume: Volume);
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
        if (BackupId is not null)
        {
            foreach (var missing in BackupId.Where(id => backups.All(b => b.Id != id)))
            {
                WriteError(ErrorRecordFactory.Create(new CinderBackupException(ErrorIds.BackupNotFound, ErrorKind.NotFound,
                    $"No backup with a name or ID of '{missing}' exists.", missing)));
            }
            backups = backups.Where(b => BackupId.Contains(b.Id)).ToList();
        }
        if (Name is null)
        {
            WriteObject(backups, enumerateCollection: true);
            return;
        }
        var matches = NameFilter.Apply(backups, Name, b => b.Name, b => b.Id, pattern =>
            WriteError(ErrorRecordFactory.Create(new CinderBackupException(ErrorIds.BackupNotFound, ErrorKind.NotFound,
                $"No backup with a name or ID of '{pattern}' exists.", pattern))));
        WriteObject(matches.ToList(), enumerateCollection: true);
    }
}
