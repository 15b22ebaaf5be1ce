using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

namespace CinderBackup.Commands;

/// <summary>Exports a backup's record (Cinder's backup_service and backup_url), admin only.</summary>
[Cmdlet(VerbsData.Export, "BackupRecord", SupportsShouldProcess = true, DefaultParameterSetName = ByBackup)]
[OutputType(typeof(BackupRecord))]
public sealed class ExportBackupRecordCommand : BackupTargetCmdlet
{
    protected override void ProcessRecord()
    {
        Try(TargetId, () =>
        {
            var backup = ResolveTarget();
            if (!ShouldProcess(Describe(backup), "Export backup record"))
            {
                return;
            }
            WriteObject(Engine.Backups.Export(backup.Id));
        });
    }
}
