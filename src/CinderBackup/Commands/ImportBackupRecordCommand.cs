using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Util;

namespace CinderBackup.Commands;

/// <summary>
/// Imports backup records (admin only) from backup_service and backup_url strings, from record files, or from the
/// pipeline (Export-BackupRecord, Find-BackupRecord, Get-ChildItem *.yaml). Everything one call receives is imported
/// as one set when the input ends: parents before incrementals whatever the order, and nothing at all if any
/// record is bad.
/// </summary>
[Cmdlet(VerbsData.Import, "BackupRecord", SupportsShouldProcess = true, DefaultParameterSetName = ByRecord)]
[OutputType(typeof(VolumeBackup))]
public sealed class ImportBackupRecordCommand : CinderBackupCmdlet
{
    private const string ByRecord = "ByRecord";
    private const string ByPath = "ByPath";
    private const string ByLiteralPath = "ByLiteralPath";

    private readonly List<BackupRecord> _records = new();
    private int _failed;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByRecord, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string BackupService { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ByRecord, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string BackupUrl { get; set; } = "";

    /// <summary>Record files (wildcards allowed).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByPath)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Record files, taken exactly as typed; Get-ChildItem output binds here.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByLiteralPath, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>The configured repository the backups are in (default: the record's own, else the first whose driver matches).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string? Repository { get; set; }

    /// <summary>Accept a record only if its repository holds its _metadata and every object it names.</summary>
    [Parameter]
    public SwitchParameter Verify { get; set; }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case ByRecord:
                // A record that cannot be read is reported against the record itself (the target of the error).
                var given = new BackupRecord { BackupService = BackupService, BackupUrl = BackupUrl };
                Collect(given, () => new[] { given });
                break;
            case ByPath:
                foreach (var pattern in Path)
                {
                    Collect(pattern, () => ResolvePaths(pattern, "record file").SelectMany(RecordApi.ReadFile).ToList());
                }
                break;
            default:
                foreach (var literal in LiteralPath)
                {
                    Collect(literal, () => RecordApi.ReadFile(SessionState.Path.GetUnresolvedProviderPathFromPSPath(literal)));
                }
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (_failed > 0)
        {
            WriteWarning($"Nothing was imported: {_failed} input(s) had errors (see above). Fix them and run the import again.");
            return;
        }
        var accepted = new List<BackupRecord>();
        var asked = false;
        Try(_records.FirstOrDefault()?.BackupId, () =>
        {
            foreach (var record in _records)
            {
                var target = record.Name is { Length: > 0 } n ? $"backup {PrintableText.Escape(n)} ({record.BackupId})" : $"backup {record.BackupId}";
                var from = record.Source ?? (record.BackupService.Length > 0 ? record.BackupService : "any backup service");
                if (Confirmed($"{target} from {from}", "Import backup record"))
                {
                    accepted.Add(record);
                }
            }
            asked = true;
        });
        if (!asked || accepted.Count == 0)
        {
            return;
        }
        Try(accepted[0].BackupId, () =>
        {
            var result = Engine.Records.Import(accepted, repository: null, Verify);
            FlushDetails();
            foreach (var warning in result.Warnings)
            {
                WriteWarning(PrintableText.Escape(warning, keepNewlines: true));
            }
            WriteObject(result.Backups, enumerateCollection: true);
        });
    }

    /// <summary>Reads and describes records now, so a bad one is reported against its own input; nothing is imported yet.</summary>
    private void Collect(object input, Func<IReadOnlyList<BackupRecord>> read)
    {
        try
        {
            foreach (var record in read())
            {
                var described = RecordApi.Describe(record);
                _records.Add(new BackupRecord
                {
                    BackupService = described.BackupService, BackupUrl = described.BackupUrl, BackupId = described.BackupId,
                    Name = described.Name, ParentId = described.ParentId, Source = record.Source,
                    // Bound per input: from the command line, or from each piped record's Repository property.
                    Repository = string.IsNullOrEmpty(Repository) ? null : Repository,
                });
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            _failed++;
            WriteError(ErrorRecordFactory.Create(e, input));
        }
    }
}
