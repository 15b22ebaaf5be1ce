using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

namespace CinderBackup.Commands;

/// <summary>
/// Replaces the catalog with a copy taken by Backup-BackupCatalog, admin only. The copy is checked and upgraded
/// first, and the catalog as it was is saved beside it (PreviousCatalogPath). Refused while backups are being
/// created, restored or deleted, unless -Force.
/// </summary>
[Cmdlet(VerbsData.Restore, "BackupCatalog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(CatalogCopy))]
public sealed class RestoreBackupCatalogCommand : CinderBackupCmdlet
{
    /// <summary>The catalog backup file.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("LiteralPath", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Restore even while backups are being created, restored or deleted.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var source = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        Try(source, () =>
        {
            // ConfirmImpact High: asks by default; -Confirm:$false for scripts.
            if (ShouldProcess(Engine.Config.CatalogPath, $"Replace every volume, snapshot and backup record with those in '{source}' (the current catalog is saved first)"))
            {
                WriteObject(Engine.CatalogFile.Restore(source, Force));
            }
        });
    }
}
