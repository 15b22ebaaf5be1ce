using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Commands;

/// <summary>
/// Checks a backup and its parents without restoring it. Quick mode checks the documents, object listing and
/// coverage; -Deep also reads every object and checks its length, MD5 and the SHA-256 of every block.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "VolumeBackup", DefaultParameterSetName = ByBackup)]
[OutputType(typeof(BackupVerifyResult))]
public sealed class TestVolumeBackupCommand : BackupTargetCmdlet
{
    [Parameter]
    public SwitchParameter Deep { get; set; }

    protected override void ProcessRecord()
    {
        Try(TargetId, () =>
        {
            var backup = ResolveTarget();
            var result = RunWithProgress("Verifying backup " + Describe(backup), Deep ? "deep" : "quick",
                (progress, cancel) => Engine.Backups.Verify(backup.Id, Deep, progress, cancel));
            WriteObject(result);
            if (!result.IsValid)
            {
                // Also an error, so -ErrorAction Stop stops a runbook; the result above still says IsValid false.
                var id = result.ErrorId ?? ErrorIds.BackupCorrupt;
                WriteError(new ErrorRecord(new CinderBackupException(id, ErrorKind.InvalidData, result.Problem ?? $"Backup {backup.Id} is not valid."),
                    id, ProblemCategory(id), backup.Id));
            }
        });
    }

    private static ErrorCategory ProblemCategory(string errorId) => errorId switch
    {
        ErrorIds.BackupInvalidState => ErrorCategory.InvalidOperation,
        ErrorIds.BackupObjectMissing or ErrorIds.BackupChainBroken or ErrorIds.ContainerNotFound => ErrorCategory.ObjectNotFound,
        ErrorIds.RepositoryError or ErrorIds.RepositoryUnavailable => ErrorCategory.ReadError,
        _ => ErrorCategory.InvalidData,
    };
}
