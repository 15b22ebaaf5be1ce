namespace CinderBackup;

/// <summary>
/// A backup record: Cinder's backup_service and backup_url, which are all an import needs. The other properties
/// describe the backup the record holds (decoded from the url, or found in the repository) for display and piping.
/// </summary>
public sealed class BackupRecord
{
    public string BackupService { get; init; } = "";

    public string BackupUrl { get; init; } = "";

    public string? BackupId { get; init; }

    public string? Name { get; init; }

    public string? Description { get; init; }

    public string? VolumeId { get; init; }

    /// <summary>The backup this incremental depends on (import it first); null for a full backup.</summary>
    public string? ParentId { get; init; }

    /// <summary>Size of the backed-up volume in GiB.</summary>
    public int? Size { get; init; }

    public int? ObjectCount { get; init; }

    public DateTime? CreatedAtUtc { get; init; }

    /// <summary>CreatedAtUtc in local time, as PowerShell's own times are, so that <c>(Get-Date) - $x.CreatedAt</c> is right in any time zone.</summary>
    public DateTime? CreatedAt => CreatedAtUtc?.ToLocalTime();

    public string? Container { get; init; }

    /// <summary>
    /// The configured repository the backup is in: set on exported and discovered records, so piping them to
    /// Import-BackupRecord imports into that repository. Null for records read from files.
    /// </summary>
    public string? Repository { get; init; }

    /// <summary>Where the record came from, for messages: a file and line, or the repository object it was rebuilt from.</summary>
    public string? Source { get; init; }

    /// <summary>Whether the catalog holds this backup (set by discovery; exported records are always in it).</summary>
    public bool InCatalog { get; init; }

    public bool IsIncremental => ParentId is not null;

    public override string ToString() => BackupId ?? BackupService;
}
