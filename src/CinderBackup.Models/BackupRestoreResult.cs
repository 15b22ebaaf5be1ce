namespace CinderBackup;

/// <summary>The answer to a restore: which backup went to which volume (Cinder's restore response).</summary>
public sealed class BackupRestoreResult
{
    public string BackupId { get; init; } = "";

    public string VolumeId { get; init; } = "";

    public string? VolumeName { get; init; }

    /// <summary>Bytes of the volume restored, and how many of them were written (zeros are skipped on new volumes).</summary>
    public long BytesRestored { get; init; }

    public long BytesWritten { get; init; }

    /// <summary>Objects read, and objects skipped because newer layers of the chain supersede them.</summary>
    public int ObjectsRead { get; init; }

    public int ObjectsSkipped { get; init; }

    /// <summary>How long reading and writing the data took; null when the restore ran elsewhere (--no-wait, a backup service).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Bytes of the volume restored per second.</summary>
    public double? Rate => Duration is { TotalSeconds: > 0 } d ? Math.Round(BytesRestored / d.TotalSeconds) : null;

    public override string ToString() => $"{BackupId} -> {VolumeName ?? VolumeId}";
}
