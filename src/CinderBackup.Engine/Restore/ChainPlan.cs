using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Pipeline;

namespace CinderBackup.Engine.Restore;

/// <summary>
/// What a restore checks before and while it reads a chain, shared by restore and deep verify so that a chain verify
/// calls valid is one restore can write: the requested backup's sha256 list (the one truth about the bytes), every
/// layer hashing the same block size, the plan covering the volume with exactly as many blocks as the list has, and
/// each planned range of every object checked against the requested backup's list.
/// </summary>
internal sealed class ChainPlan : IDisposable
{
    private ChainPlan(IReadOnlyList<ChainLayer> chain, HashFile expected, long chunk, RestorePlan plan)
    {
        Chain = chain;
        Expected = expected;
        Chunk = chunk;
        Plan = plan;
    }

    /// <summary>The requested backup first, its full backup last.</summary>
    public IReadOnlyList<ChainLayer> Chain { get; }

    /// <summary>The requested backup's sha256 list: every block written (or verified) must hash to it.</summary>
    public HashFile Expected { get; }

    /// <summary>The hash block size.</summary>
    public long Chunk { get; }

    public RestorePlan Plan { get; }

    public static ChainPlan Load(IReadOnlyList<ChainLayer> chain, string tempDirectory)
    {
        var requested = chain[0];
        var expected = HashFile.Create(tempDirectory);
        try
        {
            var chunk = ChainLoader.ReadHashes(requested, expected);
            ChainLoader.CheckChunkSizes(chain, chunk);
            var plan = RestorePlan.Build(chain, chunk);
            var blocks = (plan.VolumeBytes + chunk - 1) / chunk;
            if (blocks != expected.Count)
            {
                throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                    $"Backup {requested.BackupId}: its objects cover {plan.VolumeBytes} bytes ({blocks} blocks) but its sha256 list has {expected.Count} blocks.", requested.Sha256Name);
            }
            return new ChainPlan(chain, expected, chunk, plan);
        }
        catch
        {
            expected.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The planned objects, in plan order, as jobs for a <see cref="PieceRunner"/>: each reads its object, checks its MD5
    /// and the SHA-256 of every planned block against <see cref="Expected"/>, and hands verified data to <paramref name="sink"/>.
    /// </summary>
    /// <param name="ownList">Deep verify: a layer's own sha256 list, which its objects' blocks are also checked against (null: none).</param>
    public Func<IPieceJob?> Jobs(int piece, ObjectCheck.Sink? sink, IoThrottle? throttle, Action<long> progress, Action objectChecked,
        Func<ChainLayer, HashFile?>? ownList = null)
    {
        var tasks = Plan.Tasks.GetEnumerator();
        return () => tasks.MoveNext()
            ? new ObjectCheck(tasks.Current.Layer, tasks.Current.Object, tasks.Current.Writes, Expected, Chunk, piece, sink, throttle, progress,
                Chain[0].BackupId, ownList?.Invoke(tasks.Current.Layer)) { Checked = objectChecked }
            : null;
    }

    public void Dispose() => Expected.Dispose();
}
