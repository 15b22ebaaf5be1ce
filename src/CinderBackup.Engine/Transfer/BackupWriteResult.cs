namespace CinderBackup.Engine.Transfer;

/// <summary>What a backup stored: its data object count (Cinder's object_count) and byte figures.</summary>
internal sealed record BackupWriteResult(int ObjectCount, long BytesStored, long BytesScanned, long BytesInObjects);
