namespace CinderBackup;

/// <summary>A volume type, as Cinder's: a name volumes are created with; <c>__DEFAULT__</c> always exists.</summary>
public sealed class VolumeType
{
    public string Id { get; init; } = "";

    public string Name { get; init; } = "";

    public string? Description { get; init; }

    public bool IsPublic { get; init; } = true;

    public DateTime CreatedAtUtc { get; init; }

    public override string ToString() => Name;
}
