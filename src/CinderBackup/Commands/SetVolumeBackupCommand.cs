using System.Collections;
using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;

namespace CinderBackup.Commands;

/// <summary>
/// Changes backups' name, description or metadata, or resets their state (-State available|error, admin only), each
/// on its own (-Backup a,b,c or the pipeline): a failure is reported and the rest still done, as
/// <c>volume backup set --state</c> does. Setting a restoring backup to error cancels the restore, as in Cinder.
/// </summary>
[Cmdlet(VerbsCommon.Set, "VolumeBackup", SupportsShouldProcess = true, DefaultParameterSetName = ByBackup)]
[OutputType(typeof(VolumeBackup))]
public sealed class SetVolumeBackupCommand : BackupsTargetCmdlet
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
        var changes = new List<string>();
        if (Name is not null) changes.Add($"name '{Name}'");
        if (Description is not null) changes.Add("description");
        if (Metadata is not null) changes.Add("metadata");
        if (State is not null) changes.Add($"state {State}");
        foreach (var target in TargetIds)
        {
            Try(target, () =>
            {
                var backup = Engine.Backups.Get(target);
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
}
