using CinderBackup.Engine.Pipeline;

namespace CinderBackup.Engine.Restore;

/// <summary>Everything the <see cref="RestoreWriter"/> needs.</summary>
internal sealed class RestoreRequest
{
    /// <summary>The requested backup first, its full backup last.</summary>
    public required IReadOnlyList<ChainLayer> Chain { get; init; }
    public required string TargetPath { get; init; }

    /// <summary>For a registered path: the file its check found, which the open must find again (null: a file of ours).</summary>
    public Native.FileIdentity? TargetIdentity { get; init; }

    /// <summary>How to reach an RBD target (<see cref="TargetPath"/> <c>rbd:POOL/IMAGE</c>).</summary>
    public Volumes.RbdAccess? Rbd { get; init; }

    /// <summary>A target created for this restore: sparse, all zeros, so zero blocks need no write.</summary>
    public bool TargetIsNew { get; init; }

    /// <summary>restore_discard_excess_bytes: zero an existing target's bytes past the backup's size.</summary>
    public bool DiscardExcess { get; init; } = true;

    /// <summary>A pool image may be grown to the backup's byte length (never a registered path).</summary>
    public bool MayGrowTarget { get; init; }

    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Objects read at once (their MD5s share vector lanes).</summary>
    public int ObjectsInFlight { get; init; } = 16;
    public required string TempDirectory { get; init; }
    public IoThrottle? Throttle { get; init; }
    public IProgress<TransferProgress>? Progress { get; init; }
    public CancellationToken Cancel { get; init; }
}
