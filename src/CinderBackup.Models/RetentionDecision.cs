namespace CinderBackup;

/// <summary>What a retention policy does with one backup, and why.</summary>
public sealed class RetentionDecision
{
    public string BackupId { get; init; } = "";

    public string? Name { get; init; }

    public string VolumeId { get; init; } = "";

    public string? Status { get; init; }

    public string? ParentId { get; init; }

    public DateTime CreatedAtUtc { get; init; }

    /// <summary>CreatedAtUtc in local time, as PowerShell's own times are.</summary>
    public DateTime CreatedAt => CreatedAtUtc.ToLocalTime();

    /// <summary>keep; remove (a dry run, or declined: see Reason); removed; or failed (Reason holds the error).</summary>
    public string Action { get; init; } = "";

    /// <summary>Why: the rules that keep it ("last 1", "daily 2026-12-06", "parent of ID", ...), or the error.</summary>
    public string Reason { get; init; } = "";

    /// <summary>True when the backup stays (kept, or its removal declined or failed).</summary>
    public bool Kept => Action is not ("remove" or "removed");

    public override string ToString() => $"{BackupId} {Action}: {Reason}";
}
