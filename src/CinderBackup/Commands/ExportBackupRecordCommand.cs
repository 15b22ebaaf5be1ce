using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Commands;

/// <summary>
/// Exports backup records (Cinder's backup_service and backup_url), admin only: as objects, or to a YAML record
/// file (-Path/-LiteralPath) in the format <c>openstack volume backup record export -f yaml</c> prints. All records of
/// one call go to one file; a directory gets one <c>&lt;backup id&gt;.yaml</c> per record.
/// </summary>
[Cmdlet(VerbsData.Export, "BackupRecord", SupportsShouldProcess = true, DefaultParameterSetName = ByBackup)]
[OutputType(typeof(BackupRecord))]
public sealed class ExportBackupRecordCommand : BackupTargetCmdlet
{
    private readonly List<BackupRecord> _records = new();

    /// <summary>The record file to write (or an existing directory).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Like -Path, taken exactly as typed.</summary>
    [Parameter]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    /// <summary>Also export the records of every backup an incremental needs, the full backup first.</summary>
    [Parameter]
    public SwitchParameter IncludeParents { get; set; }

    /// <summary>Do not replace an existing file.</summary>
    [Parameter]
    [Alias("NoOverwrite")]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>Replace a read-only file without asking.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>With -Path: also write the records to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private string? Destination => Path ?? LiteralPath;

    protected override void BeginProcessing()
    {
        if (Path is not null && LiteralPath is not null)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(new CinderBackupException(ErrorIds.InvalidArgument,
                ErrorKind.InvalidArgument, "Give -Path or -LiteralPath, not both."), Path));
        }
    }

    protected override void ProcessRecord()
    {
        Try(TargetId, () =>
        {
            var backup = ResolveTarget();
            if (Destination is null && !Confirmed(Describe(backup), "Export backup record"))
            {
                return;
            }
            foreach (var record in Engine.Records.Export(backup.Id, IncludeParents))
            {
                if (_records.Any(r => r.BackupId == record.BackupId))
                {
                    continue; // a parent shared by several incrementals is written once
                }
                _records.Add(record);
                if (Destination is null)
                {
                    WriteObject(record);
                }
            }
        });
    }

    protected override void EndProcessing()
    {
        if (Destination is null || _records.Count == 0)
        {
            return;
        }
        var target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        // "dir/" names a directory: made here (with its parents) rather than taken as a file name or refused.
        var asDirectory = Directory.Exists(target) || Destination.EndsWith('/') || Destination.EndsWith(System.IO.Path.DirectorySeparatorChar);
        if (asDirectory && !Directory.Exists(target))
        {
            var made = false;
            Try(target, () =>
            {
                if (File.Exists(target.TrimEnd('/', System.IO.Path.DirectorySeparatorChar)))
                {
                    throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.InvalidArgument,
                        $"'{Destination}' ends with a separator, so it names a directory, but '{target.TrimEnd('/', System.IO.Path.DirectorySeparatorChar)}' is a file.", target);
                }
                if (Confirmed(target, "Create the directory for the backup records"))
                {
                    Directory.CreateDirectory(target);
                    made = true;
                }
            });
            if (!made && !MyInvocation.BoundParameters.ContainsKey("WhatIf") && !LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference")))
            {
                return;
            }
        }
        var files = asDirectory
            ? _records.Select(r => (System.IO.Path.Combine(target, r.BackupId + ".yaml"), (IReadOnlyList<BackupRecord>)new[] { r })).ToList()
            : new List<(string, IReadOnlyList<BackupRecord>)> { (target, _records) };
        foreach (var (file, records) in files)
        {
            Try(file, () =>
            {
                var what = records.Count == 1 ? $"Write the record of backup {records[0].BackupId}" : $"Write {records.Count} backup records";
                if (!Confirmed(file, what))
                {
                    return;
                }
                var readOnly = !NoClobber && File.Exists(file) && (File.GetAttributes(file) & FileAttributes.ReadOnly) != 0;
                if (readOnly && !ForceOrConfirm(Force, $"The file '{file}' is read-only. Replace it?", "Replace a read-only file",
                        () => new CinderBackupException(ErrorIds.FileExists, ErrorKind.Conflict,
                            $"The file '{file}' is read-only and this session cannot ask whether to replace it: add -Force to replace it.", file)))
                {
                    return;
                }
                RecordApi.WriteFile(file, records, NoClobber, force: readOnly || Force);
                if (PassThru)
                {
                    WriteObject(records, enumerateCollection: true); // only what was written: nothing under -WhatIf
                }
            });
        }
    }
}
