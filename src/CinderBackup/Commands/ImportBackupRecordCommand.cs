using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;

namespace CinderBackup.Commands;

/// <summary>Imports backup records (admin only); the backups become available in the caller's project.</summary>
[Cmdlet(VerbsData.Import, "BackupRecord", SupportsShouldProcess = true)]
[OutputType(typeof(VolumeBackup))]
public sealed class ImportBackupRecordCommand : CinderBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string BackupService { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string BackupUrl { get; set; } = "";

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string? Repository { get; set; }

    protected override void ProcessRecord()
    {
        Try(BackupUrl.Length > 40 ? BackupUrl[..40] + "..." : BackupUrl, () =>
        {
            var record = BackupApi.Peek(BackupService, BackupUrl);
            var target = record.Name is { Length: > 0 } n ? $"backup {n} ({record.BackupId})" : $"backup {record.BackupId}";
            if (!ShouldProcess($"{target} from {(BackupService.Length > 0 ? BackupService : "any backup service")}", "Import backup record"))
            {
                return;
            }
            WriteObject(Engine.Backups.Import(BackupService, BackupUrl, Repository));
        });
    }
}
