namespace CinderBackup;

/// <summary>A copy of the catalog taken by Backup-BackupCatalog, or the one Restore-BackupCatalog put back.</summary>
public sealed class CatalogCopy
{
    /// <summary>The copy's file.</summary>
    public string Path { get; init; } = "";

    public long Length { get; init; }

    public int SchemaVersion { get; init; }

    public int Volumes { get; init; }

    public int Snapshots { get; init; }

    public int Backups { get; init; }

    /// <summary>(UTC) When the copy was taken (Backup), or when the file was last written (Restore).</summary>
    public DateTime TakenAtUtc { get; init; }

    /// <summary>TakenAtUtc in local time, as PowerShell's own times are, so that <c>(Get-Date) - $x.TakenAt</c> is right in any time zone.</summary>
    public DateTime TakenAt => TakenAtUtc.ToLocalTime();

    /// <summary>The live catalog's file.</summary>
    public string CatalogPath { get; init; } = "";

    /// <summary>Restore only: where the catalog as it was before the restore was saved.</summary>
    public string? PreviousCatalogPath { get; init; }

    public override string ToString() => Path;
}
