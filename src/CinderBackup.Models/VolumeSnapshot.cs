namespace CinderBackup;

/// <summary>A point-in-time copy of a volume.</summary>
public sealed class VolumeSnapshot
{
    public string Id { get; init; } = "";

    /// <summary>Same as <see cref="Id"/>; binds by property name to -SnapshotId parameters.</summary>
    public string SnapshotId => Id;

    public string? Name { get; init; }

    public string? Description { get; init; }

    public string Status { get; init; } = "";

    public string VolumeId { get; init; } = "";

    /// <summary>Size in GiB of the volume when the snapshot was taken.</summary>
    public int Size { get; init; }

    public string Progress { get; init; } = "100%";

    public string ProjectId { get; init; } = "";

    public string UserId { get; init; } = "";

    public string Path { get; init; } = "";

    public DateTime CreatedAtUtc { get; init; }

    /// <summary>CreatedAtUtc in local time, as PowerShell's own times are, so that <c>(Get-Date) - $x.CreatedAt</c> is right in any time zone.</summary>
    public DateTime CreatedAt => CreatedAtUtc.ToLocalTime();

    public DateTime? UpdatedAtUtc { get; init; }

    /// <summary>UpdatedAtUtc in local time, as PowerShell's own times are, so that <c>(Get-Date) - $x.UpdatedAt</c> is right in any time zone.</summary>
    public DateTime? UpdatedAt => UpdatedAtUtc?.ToLocalTime();

    public override string ToString() => Name ?? Id;
}
