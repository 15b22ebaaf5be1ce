namespace CinderBackup;

/// <summary>A block volume known to the catalog: a sparse image in the file pool or a registered path.</summary>
public sealed class BlockVolume
{
    public string Id { get; init; } = "";

    /// <summary>Same as <see cref="Id"/>; lets a volume bind by property name to -VolumeId parameters.</summary>
    public string VolumeId => Id;

    public string? Name { get; init; }

    public string? Description { get; init; }

    public string Status { get; init; } = "";

    public string? PreviousStatus { get; init; }

    /// <summary>Provisioned size in GiB.</summary>
    public int Size { get; init; }

    /// <summary>Exact size in bytes of the image or device.</summary>
    public long SizeBytes { get; init; }

    public string AvailabilityZone { get; init; } = "";

    public bool Bootable { get; init; }

    /// <summary>The volume type's name (Cinder's <c>volume_type</c>); <c>__DEFAULT__</c> unless created with another.</summary>
    public string? VolumeType { get; init; }

    /// <summary><c>pool</c> (a sparse image we own) or <c>path</c> (a registered file or device we never delete).</summary>
    public string Backend { get; init; } = "";

    public string Path { get; init; } = "";

    public string ProjectId { get; init; } = "";

    public string UserId { get; init; } = "";

    public DateTime CreatedAtUtc { get; init; }

    /// <summary>CreatedAtUtc in local time, as PowerShell's own times are, so that <c>(Get-Date) - $x.CreatedAt</c> is right in any time zone.</summary>
    public DateTime CreatedAt => CreatedAtUtc.ToLocalTime();

    public DateTime? UpdatedAtUtc { get; init; }

    /// <summary>UpdatedAtUtc in local time, as PowerShell's own times are, so that <c>(Get-Date) - $x.UpdatedAt</c> is right in any time zone.</summary>
    public DateTime? UpdatedAt => UpdatedAtUtc?.ToLocalTime();

    public IReadOnlyList<VolumeAttachment> Attachments { get; init; } = Array.Empty<VolumeAttachment>();

    /// <summary>User metadata (the openstack client's "properties").</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>"Attached to inst1 on /dev/vdc", as the openstack client prints it; empty when detached.</summary>
    public string AttachedTo => string.Join("\n", Attachments.Select(a => $"Attached to {a.InstanceId} on {a.Device}"));

    public override string ToString() => Name ?? Id;
}
