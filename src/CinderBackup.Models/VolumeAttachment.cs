namespace CinderBackup;

/// <summary>A volume attached to an instance on a device.</summary>
public sealed class VolumeAttachment
{
    public string Id { get; init; } = "";

    public string VolumeId { get; init; } = "";

    public string InstanceId { get; init; } = "";

    public string Device { get; init; } = "";

    public DateTime AttachedAt { get; init; }

    public override string ToString() => $"Attached to {InstanceId} on {Device}";
}
