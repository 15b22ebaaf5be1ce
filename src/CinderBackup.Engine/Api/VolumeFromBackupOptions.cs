using CinderBackup.Engine.Pipeline;

namespace CinderBackup.Engine.Api;

/// <summary>A new volume restored from a backup (<c>volume create --backup</c>, Cinder's <c>create --backup-id</c>).</summary>
public sealed record VolumeFromBackupOptions
{
    /// <summary>The backup's name or ID.</summary>
    public required string Backup { get; init; }

    /// <summary>Name of the new volume; default restore_backup_&lt;id&gt;, then the backup's volume metadata as Cinder does.</summary>
    public string? Name { get; init; }

    /// <summary>Size in GiB; default the backup's size, never smaller.</summary>
    public int? SizeGiB { get; init; }

    public string? Description { get; init; }

    public string? AvailabilityZone { get; init; }

    /// <summary>The new volume's type, by name or ID; default <c>__DEFAULT__</c>.</summary>
    public string? VolumeType { get; init; }

    /// <summary>Metadata keys to add after the backup's own volume metadata is applied.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public IProgress<TransferProgress>? Progress { get; init; }

    public CancellationToken Cancel { get; init; }
}
