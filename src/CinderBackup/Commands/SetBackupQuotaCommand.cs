using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

namespace CinderBackup.Commands;

/// <summary>Sets a project's backup and volume quotas (admin only); -1 is unlimited.</summary>
[Cmdlet(VerbsCommon.Set, "BackupQuota", SupportsShouldProcess = true)]
[OutputType(typeof(BackupQuota))]
public sealed class SetBackupQuotaCommand : CinderBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Project", "ProjectId")]
    [ArgumentCompleter(typeof(ProjectNameCompleter))]
    public string ProjectName { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(-1, int.MaxValue)]
    public int? Backups { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(-1, int.MaxValue)]
    public int? BackupGigabytes { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(-1, int.MaxValue)]
    public int? Volumes { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(-1, int.MaxValue)]
    public int? Gigabytes { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        Try(ProjectName, () =>
        {
            var what = string.Join(", ", new[]
            {
                Backups is int b ? $"backups {b}" : null, BackupGigabytes is int g ? $"backup-gigabytes {g}" : null,
                Volumes is int v ? $"volumes {v}" : null, Gigabytes is int vg ? $"gigabytes {vg}" : null,
            }.Where(x => x is not null));
            if (!Confirmed($"project {ProjectName}", $"Set quota {what}"))
            {
                return;
            }
            var quota = Engine.Quotas.Set(ProjectName, Backups, BackupGigabytes, Volumes, Gigabytes);
            if (PassThru)
            {
                WriteObject(quota);
            }
        });
    }
}
