using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

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
            if (!ShouldProcess(target, "Write a copy of the catalog"))
            {
                return;
            }
            var replace = File.Exists(target) && (Force || ShouldContinue($"The file '{target}' exists. Replace it with a new copy of the catalog?", "Replace the file"));
            if (File.Exists(target) && !replace)
            {
                return;
            }
            WriteObject(Engine.CatalogFile.Backup(target, overwrite: replace));
        });
    }
}
