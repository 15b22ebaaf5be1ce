namespace CinderBackup;

/// <summary>A volume attached to an instance on a device.</summary>
public sealed class VolumeAttachment
{
    public string Id { get; init; } = "";

    public string VolumeId { get; init; } = "";

    public string InstanceId { get; init; } = "";

    public string Device { get; init; } = "";

    public DateTime AttachedAtUtc { get; init; }

    /// <summary>AttachedAtUtc in local time, as PowerShell's own times are, so that <c>(Get-Date) - $x.AttachedAt</c> is right in any time zone.</summary>
    public DateTime AttachedAt => AttachedAtUtc.ToLocalTime();

    public override string ToString() => $"Attached to {InstanceId} on {Device}";
}
