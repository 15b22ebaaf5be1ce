using CinderBackup.Engine.Codecs;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.ObjectStores;

namespace CinderBackup.Engine.Backup;

/// <summary>Everything the <see cref="BackupWriter"/> needs for one backup.</summary>
internal sealed record BackupWriteRequest
{
    /// <summary>The store written to; set by the repository driver (<c>ChunkedRepository.Write</c>), not by the operation.</summary>
    public IObjectStore? Store { get; init; }
    public required string Container { get; init; }
    public required string Prefix { get; init; }
    public required DocumentHeader Header { get; init; }
    public string? ParentId { get; init; }

    /// <summary>Hashes of the parent's blocks (incremental backups), read from its _sha256file.</summary>
    public HashFile? ParentHashes { get; init; }

    public required string SourcePath { get; init; }

    /// <summary>For a registered path: the file its check found, which the open must find again (null: a file of ours).</summary>
    public Native.FileIdentity? SourceIdentity { get; init; }

    /// <summary>How to reach an RBD source (<see cref="SourcePath"/> <c>rbd:POOL/IMAGE@SNAP</c>).</summary>
    public Volumes.RbdAccess? Rbd { get; init; }

    /// <summary>The parent backup's snapshot of the same RBD image: only what changed since it is read.</summary>
    public string? RbdDiffFrom { get; init; }
    public ICodec? Codec { get; init; }
    public int? Level { get; init; }
    public required long ObjectSize { get; init; }
    public required long ShaBlockSize { get; init; }
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Data objects streamed at once in a full backup (their MD5s share vector lanes).</summary>
    public int ObjectsInFlight { get; init; } = 16;
    public required string TempDirectory { get; init; }

    /// <summary>Tag of this operation's staging files, so a crash's leftovers can be found (the backup id).</summary>
    public required string StageTag { get; init; }

    /// <summary>Called once all data is stored: the volume_meta string of the _metadata document.</summary>
    public required Func<string?> VolumeMeta { get; init; }

    public IoThrottle? Throttle { get; init; }
    public IProgress<TransferProgress>? Progress { get; init; }
    public CancellationToken Cancel { get; init; }
}
