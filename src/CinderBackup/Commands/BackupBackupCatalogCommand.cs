using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Commands;

/// <summary>
/// Writes an online-consistent copy of the catalog (SQLite backup API) while other sessions keep working; admin
/// only. Keep copies somewhere safe, as the seeds advise for the Block Storage database. Replacing an existing file
/// asks first; -Force skips the question.
/// </summary>
[Cmdlet(VerbsData.Backup, "BackupCatalog", SupportsShouldProcess = true)]
[OutputType(typeof(CatalogCopy))]
public sealed class BackupBackupCatalogCommand : CinderBackupCmdlet
{
    /// <summary>The file to write; an existing directory gets cinderbackup-catalog-&lt;UTC time&gt;.db.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("LiteralPath", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Replace an existing file without asking.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        Try(target, () =>
        {
            if (!Confirmed(target, "Write a copy of the catalog"))
            {
                return;
            }
            var exists = File.Exists(target);
            if (exists && !ForceOrConfirm(Force, $"The file '{target}' exists. Replace it with a new copy of the catalog?", "Replace the file",
                    () => new CinderBackupException(ErrorIds.FileExists, ErrorKind.Conflict,
                        $"The file '{target}' exists and this session cannot ask whether to replace it: add -Force to replace it.", target)))
            {
                return;
            }
            var replace = exists;
            WriteObject(Engine.CatalogFile.Backup(target, overwrite: replace));
        });
    }
}
