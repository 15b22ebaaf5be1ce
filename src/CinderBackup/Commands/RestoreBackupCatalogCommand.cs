using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Commands;

/// <summary>
/// Replaces the catalog with a copy taken by Backup-BackupCatalog, admin only. The copy is checked and upgraded
/// first, and the catalog as it was is saved beside it (PreviousCatalogPath). While backups are being created,
/// restored or deleted it asks first; -Force skips the question.
/// </summary>
[Cmdlet(VerbsData.Restore, "BackupCatalog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = PathSet)]
[OutputType(typeof(CatalogCopy))]
public sealed class RestoreBackupCatalogCommand : CinderBackupCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>The catalog copy to restore (wildcards allowed; they must match one file).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The catalog copy, taken exactly as typed; Get-ChildItem output binds here.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>Restore while backups are being worked on without asking.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var given = ParameterSetName == PathSet ? Path : LiteralPath;
        Try(given, () =>
        {
            var source = ResolvePath(given, ParameterSetName == LiteralPathSet, "catalog backup");
            // ConfirmImpact High: asks by default; -Confirm:$false for scripts.
            if (!Confirmed(Engine.Config.CatalogPath, $"Replace every volume, snapshot and backup record with those in '{source}' (the current catalog is saved first)"))
            {
                return;
            }
            CatalogCopy restored;
            try
            {
                restored = Engine.CatalogFile.Restore(source, force: Force);
            }
            catch (CinderBackupException e) when (e.ErrorId == ErrorIds.CatalogBusy)
            {
                // The engine's CatalogBusy (which names -Force) is the answer where no one can be asked.
                if (!ForceOrConfirm(false, $"{e.Message.Replace(" Nothing was changed.", "", StringComparison.Ordinal)} They will be carried into the restored catalog and end normally. Restore the catalog anyway?",
                        "Restore while backups are running", () => e))
                {
                    return;
                }
                restored = Engine.CatalogFile.Restore(source, force: true);
            }
            WriteObject(restored);
        });
    }
}
