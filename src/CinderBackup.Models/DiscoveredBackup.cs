namespace CinderBackup;

/// <summary>
/// One backup found by scanning a repository: complete (its record rebuilt from the <c>_metadata</c> document),
/// or a problem that keeps it from being imported.
/// </summary>
public sealed class DiscoveredBackup
{
    public string BackupId { get; init; } = "";

    public string Repository { get; init; } = "";

    public string Container { get; init; } = "";

    /// <summary>The object-name prefix (the backup's service_metadata).</summary>
    public string Prefix { get; init; } = "";

    public DiscoveryStatus Status { get; init; }

    /// <summary>Why the backup cannot be imported (null when Complete).</summary>
    public string? Problem { get; init; }

    /// <summary>The rebuilt record (only when Complete).</summary>
    public BackupRecord? Record { get; init; }

    /// <summary>Data objects present under the prefix.</summary>
    public int ObjectsFound { get; init; }

    public override string ToString() => $"{BackupId} ({Status})";
}
