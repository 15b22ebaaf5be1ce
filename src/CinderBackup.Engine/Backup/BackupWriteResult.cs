namespace CinderBackup.Engine.Backup;

/// <summary>What a backup stored: its data object count (Cinder's object_count) and byte figures.</summary>
internal sealed record BackupWriteResult(int ObjectCount, long BytesStored, long BytesScanned, long BytesInObjects)
{
    /// <summary>SHA-256 of the documents as written, kept in the catalog so restore and verify notice changes.</summary>
    public string? MetadataSha256 { get; init; }

    public string? Sha256FileSha256 { get; init; }

    /// <summary>Bytes actually read when fewer than the volume's size were (an RBD incremental read by diff); else null.</summary>
    public long? BytesRead { get; init; }
}
