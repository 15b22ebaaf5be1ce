using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Util;

namespace CinderBackup.Commands;

/// <summary>
/// Finds the backups a repository holds by scanning it for _metadata documents (Cinder's or ours) and rebuilds their
/// records, for a catalog that was lost or never had them; pipe them to Import-BackupRecord. Changes nothing.
/// Incomplete backups are reported as warnings, damaged and unreadable ones as errors; neither gets a record.
/// </summary>
[Cmdlet(VerbsCommon.Find, "BackupRecord")]
[OutputType(typeof(BackupRecord))]
public sealed class FindBackupRecordCommand : CinderBackupCmdlet
{
    /// <summary>The configured repository to scan (default: the default repository).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>Scan only this container (and, on posix/NFS, the directories under it).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    /// <summary>Only backups the catalog does not hold (the ones to import).</summary>
    [Parameter]
    public SwitchParameter MissingOnly { get; set; }

    protected override void ProcessRecord()
    {
        Try(Repository, () =>
        {
            var found = RunWithProgress("Find-BackupRecord", $"Scanning repository {Repository ?? "(default)"}",
                (_, _) => Engine.Records.Discover(Repository, Container));
            foreach (var item in found)
            {
                switch (item.Status)
                {
                    case DiscoveryStatus.Complete:
                        if (!(MissingOnly && item.Record!.InCatalog))
                        {
                            WriteObject(item.Record);
                        }
                        break;
                    case DiscoveryStatus.Incomplete:
                        WriteWarning(PrintableText.Escape(item.Problem ?? "", keepNewlines: true));
                        break;
                    default:
                        WriteError(ErrorRecordFactory.Create(new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData, item.Problem!, item), item));
                        break;
                }
            }
        });
    }
}
