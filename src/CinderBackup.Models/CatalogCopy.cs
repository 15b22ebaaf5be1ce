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

    /// <summary>
    /// Restore only: the backups whose operation (create, restore, delete) was running when the copy was put back; their
    /// rows, volumes and snapshots were carried into the restored catalog as they were, so the operations end normally.
    /// </summary>
    public IReadOnlyList<string> CarriedForward { get; init; } = Array.Empty<string>();

    /// <summary>
    /// Restore only: backups the copy showed as still being created whose owner is gone, and which the repository shows
    /// finished (a complete _metadata, the commit point): adopted as available instead of being reset.
    /// </summary>
    public IReadOnlyList<string> Adopted { get; init; } = Array.Empty<string>();

    public override string ToString() => Path;
}
