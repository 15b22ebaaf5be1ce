namespace CinderBackup;

/// <summary>The outcome of importing a set of records: the backups created (parents first) and what to look at.</summary>
public sealed class RecordImportResult
{
    public IReadOnlyList<VolumeBackup> Backups { get; init; } = Array.Empty<VolumeBackup>();

    /// <summary>For example an incremental whose parent is not in the catalog yet, so it cannot be restored.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();
}
