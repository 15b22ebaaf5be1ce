namespace CinderBackup;

/// <summary>A volume type, as Cinder's: a name volumes are created with; <c>__DEFAULT__</c> always exists.</summary>
public sealed class VolumeType
{
    public string Id { get; init; } = "";

    public string Name { get; init; } = "";

    public string? Description { get; init; }

    public bool IsPublic { get; init; } = true;

    public DateTime CreatedAtUtc { get; init; }

    /// <summary>CreatedAtUtc in local time, as PowerShell's own times are.</summary>
    public DateTime CreatedAt => CreatedAtUtc.ToLocalTime();

    public override string ToString() => Name;
}
