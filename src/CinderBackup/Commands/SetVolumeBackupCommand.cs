using System.Collections;
using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;

namespace CinderBackup.Commands;

/// <summary>
/// Changes a backup's name, description or metadata, or resets its state (-State available|error, admin only).
/// Setting a restoring backup to error cancels the restore, as in Cinder.
/// </summary>
[Cmdlet(VerbsCommon.Set, "VolumeBackup", SupportsShouldProcess = true, DefaultParameterSetName = ByBackup)]
[OutputType(typeof(VolumeBackup))]
public sealed class SetVolumeBackupCommand : BackupTargetCmdlet
{
    [Parameter]
    [ValidateSet("available", "error", IgnoreCase = true)]
    public string? State { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    public string? Description { get; set; }

    [Parameter]
    public Hashtable? Metadata { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        Try(TargetId, () =>
        {
            var backup = ResolveTarget();
            var changes = new List<string>();
            if (Name is not null) changes.Add($"name '{Name}'");
            if (Description is not null) changes.Add("description");
            if (Metadata is not null) changes.Add("metadata");
            if (State is not null) changes.Add($"state {State}");
            if (!Confirmed(Describe(backup), $"Set backup {string.Join(", ", changes)}"))
            {
                return;
            }
            backup = Engine.Backups.Set(backup.Id, new BackupChanges { Name = Name, Description = Description, Metadata = ToDictionary(Metadata), State = State });
            if (PassThru)
            {
                WriteObject(backup);
            }
        });
    }
}
