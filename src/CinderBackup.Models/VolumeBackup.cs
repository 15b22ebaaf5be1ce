namespace CinderBackup;

/// <summary>A backup in the catalog, with the fields of Cinder's backup record and "backup show".</summary>
public sealed class VolumeBackup
{
    public string Id { get; init; } = "";

    /// <summary>Same as <see cref="Id"/>; binds by property name to -BackupId parameters.</summary>
    public string BackupId => Id;

    public string? Name { get; init; }

    public string? Description { get; init; }

    public string? Status { get; init; }

    public string? FailReason { get; init; }

    /// <summary>The backed-up volume's size in GiB (what quota counts).</summary>
    public int? Size { get; init; }

    /// <summary>Number of data objects (Cinder's object_count).</summary>
    public int? ObjectCount { get; init; }

    public string VolumeId { get; init; } = "";

    public string? SnapshotId { get; init; }

    public string? ParentId { get; init; }

    public bool IsIncremental => ParentId is not null;

    public int NumDependentBackups { get; init; }

    public bool HasDependentBackups => NumDependentBackups > 0;

    public string? AvailabilityZone { get; init; }

    public string? Container { get; init; }

    /// <summary>The object-name prefix (Cinder's service_metadata).</summary>
    public string? ServiceMetadata { get; init; }

    /// <summary>Cinder's driver class path, e.g. cinder.backup.drivers.posix.PosixBackupDriver.</summary>
    public string? Service { get; init; }

    public string? Host { get; init; }

    /// <summary>The configured repository the backup lives in.</summary>
    public string? Repository { get; init; }

    /// <summary>The id of that repository's marker when the backup was written or imported (null for older backups).</summary>
    public string? RepositoryId { get; init; }

    /// <summary>Where the repository was then: a directory, an NFS share, or an S3 endpoint and bucket.</summary>
    public string? RepositoryLocation { get; init; }

    public string ProjectId { get; init; } = "";

    public string UserId { get; init; } = "";

    public string? TempVolumeId { get; init; }

    public string? TempSnapshotId { get; init; }

    public string? RestoreVolumeId { get; init; }

    public string? EncryptionKeyId { get; init; }

    public DateTime CreatedAtUtc { get; init; }

    /// <summary>CreatedAtUtc in local time, as PowerShell's own times are, so that <c>(Get-Date) - $x.CreatedAt</c> is right in any time zone.</summary>
    public DateTime CreatedAt => CreatedAtUtc.ToLocalTime();

    public DateTime? UpdatedAtUtc { get; init; }

    /// <summary>UpdatedAtUtc in local time, as PowerShell's own times are, so that <c>(Get-Date) - $x.UpdatedAt</c> is right in any time zone.</summary>
    public DateTime? UpdatedAt => UpdatedAtUtc?.ToLocalTime();

    public DateTime? DataTimestampUtc { get; init; }

    /// <summary>DataTimestampUtc in local time, as PowerShell's own times are, so that <c>(Get-Date) - $x.DataTimestamp</c> is right in any time zone.</summary>
    public DateTime? DataTimestamp => DataTimestampUtc?.ToLocalTime();

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>While an operation runs: how far it is (percent), else null.</summary>
    public double? ProgressPercent { get; init; }

    public long? ProgressBytes { get; init; }

    public long? ProgressTotalBytes { get; init; }

    /// <summary>Bytes per second of the running operation.</summary>
    public double? ProgressRate { get; init; }

    /// <summary>The summary of the backup (null until it ends, and for backups from before or imported): bytes of the volume read.</summary>
    public long? BytesRead { get; init; }

    /// <summary>Bytes that changed since the parent (all data for a full backup), written to objects.</summary>
    public long? BytesChanged { get; init; }

    /// <summary>Bytes stored in the repository, after compression.</summary>
    public long? BytesStored { get; init; }

    /// <summary>How long reading and storing the data took.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Bytes read per second.</summary>
    public double? Rate => BytesRead is long b && Duration is { TotalSeconds: > 0 } d ? Math.Round(b / d.TotalSeconds) : null;

    public override string ToString() => Name ?? Id;
}
