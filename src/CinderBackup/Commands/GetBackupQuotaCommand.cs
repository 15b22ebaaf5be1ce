using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

namespace CinderBackup.Commands;

/// <summary>Shows a project's backup and volume quotas, or with -Usage the use and reservations of every resource (like cinder quota-usage).</summary>
[Cmdlet(VerbsCommon.Get, "BackupQuota")]
[OutputType(typeof(BackupQuota), typeof(BackupQuotaUsage))]
public sealed class GetBackupQuotaCommand : CinderBackupCmdlet
{
    /// <summary>The project (default: the session's project); other projects need the admin role.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Project", "ProjectId")]
    [ArgumentCompleter(typeof(ProjectNameCompleter))]
    public string? ProjectName { get; set; }

    /// <summary>Emit one usage row per resource (in use, reserved, limit) instead of the limits.</summary>
    [Parameter]
    public SwitchParameter Usage { get; set; }

    protected override void ProcessRecord()
    {
        Try(ProjectName, () =>
        {
            if (Usage)
            {
                WriteObject(Engine.Quotas.Usage(ProjectName), enumerateCollection: true);
            }
            else
            {
                WriteObject(Engine.Quotas.Get(ProjectName));
            }
        });
    }
}
