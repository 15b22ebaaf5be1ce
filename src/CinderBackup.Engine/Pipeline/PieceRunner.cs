using System.Security.Cryptography;
using CinderBackup.Engine.Hashing;

namespace CinderBackup.Engine.Pipeline;

/// <summary>
/// Streams many objects at once, in rounds: each round, every object in flight produces its next piece on the
/// workers while the previous round's pieces are MD5'd together in vector lanes (<see cref="Md5Lanes"/>). Two
/// buffers per slot let the hashing of one round overlap the production of the next. Memory is slots x 2
/// pieces plus what the jobs hold (a codec context each), whatever the size of the objects.
/// An object whose data is all zeros is never MD5'd: its digest is a cached constant; one that starts with zeros
/// resumes from the cached state after them.
/// </summary>
internal sealed class PieceRunner
{
    /// <summary>Pieces of about 1 MiB, whole hash blocks (at least one).</summary>
    public static int Piece(long block) => (int)Math.Max(block, (1 << 20) / block * block);

    private readonly int _workers;
    private readonly Slot[] _slots;

    public PieceRunner(int slots, int workers, int pieceSize)
    {
        _workers = Math.Max(1, workers);
        _slots = Enumerable.Range(0, Math.Max(1, slots)).Select(_ => new Slot(pieceSize)).ToArray();
    }

    /// <summary>Runs one job to the end on this thread with the platform's MD5 (a lone object: no lanes to share).</summary>
    public static void RunAlone(IPieceJob job, byte[] buffer, CancellationToken cancel)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        Piece p;
        do
        {
            p = job.Next(buffer, cancel);
            md5.AppendData(buffer, 0, p.Length);
        }
        while (!p.Last);
        job.Complete(Hex.Lower(md5.GetHashAndReset()));
    }

    private sealed class Slot
    {
        public Slot(int size) => Buffers = new[] { new byte[size], new byte[size] };

        public byte[][] Buffers { get; }
        public IPieceJob? Job;
        public Md5Digest? Digest;
        public long ZeroBytes;
        public Piece Result;
    }

    /// <summary>
    /// Runs jobs from <paramref name="next"/> (called on this thread) until it returns null while no job is in
    /// flight; while jobs are in flight, null only means none to start now. <paramref name="afterRound"/> runs on
    /// this thread after every round and once at the end.
    /// </summary>
    public void Run(Func<IPieceJob?> next, Action afterRound, CancellationToken cancel)
    {
        var hashing = new List<Md5Digest>();
        var pieces = new List<ReadOnlyMemory<byte>>();
        var finishing = new List<(IPieceJob Job, Md5Digest Digest)>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = _workers, CancellationToken = cancel };
        try
        {
            for (var round = 0; ; round++)
            {
                cancel.ThrowIfCancellationRequested();
                foreach (var slot in _slots)
                {
                    if (slot.Job is null && next() is { } job)
                    {
                        (slot.Job, slot.Digest, slot.ZeroBytes) = (job, null, 0);
                    }
                }
                var active = _slots.Where(s => s.Job is not null).ToArray();
                if (active.Length == 0 && hashing.Count == 0 && finishing.Count == 0)
                {
                    break;
                }
                var parity = round & 1;
                var md5 = hashing.Count > 0 ? 1 : 0;
                // Item 0 hashes the previous round's pieces; the others produce this round's.
                Parallel.For(0, active.Length + md5, options, i =>
                {
                    if (i < md5)
                    {
                        Md5Lanes.Update(hashing, pieces);
                    }
                    else
                    {
                        var slot = active[i - md5];
                        slot.Result = slot.Job!.Next(slot.Buffers[parity], cancel);
                    }
                });
                hashing.Clear();
                pieces.Clear();
                foreach (var (job, digest) in finishing)
                {
                    job.Complete(digest.FinishHex());
                    job.Dispose();
                }
                finishing.Clear();
                foreach (var slot in active)
                {
                    var r = slot.Result;
                    if (slot.Digest is null && r.Zero)
                    {
                        slot.ZeroBytes += r.Length;
                    }
                    else if (r.Length > 0)
                    {
                        slot.Digest ??= ZeroData.Md5After(slot.ZeroBytes);
                        hashing.Add(slot.Digest);
                        pieces.Add(slot.Buffers[parity].AsMemory(0, r.Length));
                    }
                    if (r.Last)
                    {
                        var job = slot.Job!;
                        slot.Job = null;
                        if (slot.Digest is null)
                        {
                            job.Complete(ZeroData.Md5Hex(slot.ZeroBytes));
                            job.Dispose();
                        }
                        else
                        {
                            finishing.Add((job, slot.Digest));
                        }
                    }
                }
                afterRound();
            }
            afterRound();
        }
        catch (AggregateException e)
        {
            ParallelErrors.Rethrow(e);
        }
        finally
        {
            foreach (var slot in _slots)
            {
                slot.Job?.Dispose();
                slot.Job = null;
            }
            finishing.ForEach(f => f.Job.Dispose());
        }
    }
}
