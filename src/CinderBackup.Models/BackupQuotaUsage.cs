namespace CinderBackup;

/// <summary>One row of `cinder quota-usage`: a resource's use, reservations and limit.</summary>
public sealed class BackupQuotaUsage
{
    public string ProjectName { get; init; } = "";

    /// <summary>backups or backup_gigabytes.</summary>
    public string Type { get; init; } = "";

    public long InUse { get; init; }

    public long Reserved { get; init; }

    public int Limit { get; init; }

    public override string ToString() => $"{Type}: {InUse} in use, {Reserved} reserved, limit {Limit}";
}
