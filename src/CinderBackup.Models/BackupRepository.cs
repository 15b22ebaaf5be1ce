namespace CinderBackup;

/// <summary>A configured backup repository (Get-BackupRepository, `cinder-backup repository list`).</summary>
public sealed class BackupRepository
{
    public string Name { get; init; } = "";

    /// <summary>posix, nfs or s3.</summary>
    public string Driver { get; init; } = "";

    /// <summary>Cinder's driver class path, recorded as the <c>service</c> of the backups made here.</summary>
    public string Service { get; init; } = "";

    /// <summary>The directory (posix; the mount point for nfs) or the server's URL (s3).</summary>
    public string Location { get; init; } = "";

    /// <summary>The NFS share (nfs only).</summary>
    public string? Share { get; init; }

    /// <summary>The container backups go to when none is given: backup_container, or the bucket; null for Cinder's per-backup directories.</summary>
    public string? DefaultContainer { get; init; }

    public bool IsDefault { get; init; }

    /// <summary>Whether the repository answered the check; null when it was not checked.</summary>
    public bool? Reachable { get; init; }

    /// <summary>Why the repository cannot be used now, or null.</summary>
    public string? Problem { get; init; }

    /// <summary>Object size of new backups in bytes.</summary>
    public long ObjectSize { get; init; }

    /// <summary>Hash block size (incremental change tracking) of new backups in bytes.</summary>
    public long ShaBlockSize { get; init; }

    /// <summary>Where an S3 repository's credentials come from: session, configuration file or environment (never the keys).</summary>
    public string? CredentialSource { get; init; }

    public override string ToString() => Name;
}
