namespace CinderBackup;

/// <summary>An exported backup record: Cinder's backup_service and backup_url.</summary>
public sealed class BackupRecord
{
    public string BackupService { get; init; } = "";

    public string BackupUrl { get; init; } = "";

    /// <summary>The backup the record describes (decoded from the url, for display and piping).</summary>
    public string? BackupId { get; init; }

    public string? Name { get; init; }

    public override string ToString() => BackupId ?? BackupService;
}
