namespace CinderBackup.Engine.Catalog;

/// <summary>A row of the backups table: every field of Cinder's backup record plus ours.</summary>
internal sealed class BackupRow
{
    public string Id { get; set; } = "";
    public string UserId { get; set; } = "";
    public string ProjectId { get; set; } = "";
    public string VolumeId { get; set; } = "";
    public string? Host { get; set; }
    public string? AvailabilityZone { get; set; }
    public string? Container { get; set; }
    public string? ParentId { get; set; }
    public string? Status { get; set; }
    public string? FailReason { get; set; }
    public int? Size { get; set; }
    public string? DisplayName { get; set; }
    public string? DisplayDescription { get; set; }
    public string? ServiceMetadata { get; set; }
    public string? Service { get; set; }
    public int? ObjectCount { get; set; }
    public string? TempVolumeId { get; set; }
    public string? TempSnapshotId { get; set; }
    public int NumDependentBackups { get; set; }
    public string? SnapshotId { get; set; }
    public DateTime? DataTimestamp { get; set; }
    public string? RestoreVolumeId { get; set; }
    public string? EncryptionKeyId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
    public bool Deleted { get; set; }
    public string? Repository { get; set; }
    public string? Driver { get; set; }
    public string? Operation { get; set; }
    public string? OwnerHost { get; set; }
    public int? OwnerPid { get; set; }
    public DateTime? OwnerStartedAt { get; set; }
    public DateTime? HeartbeatAt { get; set; }
    public long? ProgressDone { get; set; }
    public long? ProgressTotal { get; set; }
    public double? ProgressRate { get; set; }

    /// <summary>SHA-256 (hex) of the _metadata document as written; null when unknown (imported, or Cinder's).</summary>
    public string? MetadataSha256 { get; set; }

    /// <summary>SHA-256 (hex) of the _sha256file document as written; null when unknown.</summary>
    public string? Sha256FileSha256 { get; set; }

    /// <summary>The id in the repository marker where the backup was written (ours); null before markers, or when unknown.</summary>
    public string? RepositoryId { get; set; }

    /// <summary>Where that repository was when the backup was written or imported (a directory, a share, an endpoint and bucket).</summary>
    public string? RepositoryLocation { get; set; }

    /// <summary>The compression chosen when the backup was prepared (ours); null for rows from before: the configured one.</summary>
    public string? Compression { get; set; }

    /// <summary>The backup's summary (ours): bytes read, changed, stored after compression, and the transfer's duration; null until it ends.</summary>
    public long? BytesRead { get; set; }
    public long? BytesChanged { get; set; }
    public long? BytesStored { get; set; }
    public long? DurationMs { get; set; }

    public Dictionary<string, string> Metadata { get; set; } = new(StringComparer.Ordinal);

    public VolumeBackup ToModel() => new()
    {
        Id = Id,
        Name = DisplayName,
        Description = DisplayDescription,
        Status = Status,
        FailReason = FailReason,
        Size = Size,
        ObjectCount = ObjectCount,
        VolumeId = VolumeId,
        SnapshotId = SnapshotId,
        ParentId = ParentId,
        NumDependentBackups = NumDependentBackups,
        AvailabilityZone = AvailabilityZone,
        Container = Container,
        ServiceMetadata = ServiceMetadata,
        Service = Service,
        Host = Host,
        Repository = Repository,
        RepositoryId = RepositoryId,
        RepositoryLocation = RepositoryLocation,
        ProjectId = ProjectId,
        UserId = UserId,
        TempVolumeId = TempVolumeId,
        TempSnapshotId = TempSnapshotId,
        RestoreVolumeId = RestoreVolumeId,
        EncryptionKeyId = EncryptionKeyId,
        CreatedAtUtc = CreatedAt,
        UpdatedAtUtc = UpdatedAt,
        DataTimestampUtc = DataTimestamp,
        Metadata = new SortedDictionary<string, string>(Metadata, StringComparer.Ordinal),
        BytesRead = BytesRead,
        BytesChanged = BytesChanged,
        BytesStored = BytesStored,
        Duration = DurationMs is long ms ? TimeSpan.FromMilliseconds(ms) : null,
        ProgressBytes = Operation is null ? null : ProgressDone,
        ProgressTotalBytes = Operation is null ? null : ProgressTotal,
        ProgressRate = Operation is null ? null : ProgressRate,
        ProgressPercent = Operation is null || ProgressTotal is null ? null
            : ProgressTotal == 0 ? 100 : Math.Round(100.0 * (ProgressDone ?? 0) / ProgressTotal.Value, 1),
    };
}
