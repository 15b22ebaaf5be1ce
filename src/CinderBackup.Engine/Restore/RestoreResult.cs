namespace CinderBackup.Engine.Restore;

/// <summary>What a restore did.</summary>
internal sealed record RestoreResult(long VolumeBytes, long BytesWritten, int ObjectsRead, int ObjectsSkipped)
{
    /// <summary>Bytes of the target past the backup's size made to read as zeros (restore_discard_excess_bytes).</summary>
    public long ExcessZeroed { get; init; }

    /// <summary>How they were zeroed, when they were.</summary>
    public RangeZeroer.Method? ExcessMethod { get; init; }
}
