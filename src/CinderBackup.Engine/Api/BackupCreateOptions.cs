using CinderBackup.Engine.Operations;
using CinderBackup.Engine.Pipeline;

namespace CinderBackup.Engine.Api;

/// <summary>What to back up and how (Cinder's create body, plus our per-backup options).</summary>
public sealed record BackupCreateOptions : IBackupCreateRequest
{
    /// <summary>The volume's name or ID.</summary>
    public required string Volume { get; init; }

    public string? Name { get; init; }

    public string? Description { get; init; }

    public bool Incremental { get; init; }

    /// <summary>Allows backing up an in-use volume (read from a temporary snapshot).</summary>
    public bool Force { get; init; }

    /// <summary>Back up this snapshot of the volume instead of the volume itself.</summary>
    public string? Snapshot { get; init; }

    /// <summary>Container (directory or bucket); default: backup_container, else Cinder's per-backup scheme.</summary>
    public string? Container { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Overrides backup_compression_algorithm for this backup.</summary>
    public string? Compression { get; init; }

    public string? AvailabilityZone { get; init; }

    /// <summary>A configured repository name; default: the default repository.</summary>
    public string? Repository { get; init; }

    public IProgress<TransferProgress>? Progress { get; init; }

    public CancellationToken Cancel { get; init; }
}
