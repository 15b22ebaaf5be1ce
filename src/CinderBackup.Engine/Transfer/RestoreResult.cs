namespace CinderBackup.Engine.Transfer;

/// <summary>What a restore did, and the requested backup's volume_meta to apply to the target.</summary>
internal sealed record RestoreResult(long VolumeBytes, long BytesWritten, int ObjectsRead, int ObjectsSkipped, string? VolumeMeta);
