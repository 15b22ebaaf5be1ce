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

    public DateTime CreatedAt { get; init; }

    public DateTime? UpdatedAt { get; init; }

    public override string ToString() => Name ?? Id;
}
