using System.Collections.Concurrent;
using System.Security.Cryptography;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.Restore;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// <see cref="PieceRunner"/> on its own, with jobs that hand out bytes from memory: each object's MD5 (computed in
/// vector lanes, from cached zero states, or by the platform for a lone object) is the MD5 of its bytes; each job is
/// completed once on the caller's thread and disposed once, whatever happens; no more open jobs than slots and no more
/// producers than workers at a time; failures and cancellations reach the caller as themselves.
/// </summary>
public sealed class PieceRunnerTests
{
    private const int PieceSize = 64 << 10;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>An object held in memory, handed out a piece at a time.</summary>
    private sealed class Job : IPieceJob
    {
        private readonly byte[] _data;
        private readonly bool _claimZeros;
        private readonly Counters? _counters;
        private int _position;
        private int _pieces;

        public Job(byte[] data, bool claimZeros = true, Counters? counters = null)
        {
            _data = data;
            _claimZeros = claimZeros;
            _counters = counters;
        }

        /// <summary>Runs before piece n (0-based) is produced, on the worker.</summary>
        public Action<int, CancellationToken>? BeforePiece { get; init; }

        public string Expected => Convert.ToHexStringLower(MD5.HashData(_data));
        public string? Md5;
        public bool Taken;
        public int Completions;
        public int Disposals;
        public int CompletedOn;
        public int PiecesMade => Volatile.Read(ref _pieces);

        public Piece Next(Span<byte> buffer, CancellationToken cancel)
        {
            Assert.Equal(0, Volatile.Read(ref Disposals));
            Assert.Equal(PieceSize, buffer.Length);
            _counters?.Producing.Up();
            try
            {
                BeforePiece?.Invoke(_pieces, cancel);
                var n = Math.Min(buffer.Length, _data.Length - _position);
                _data.AsSpan(_position, n).CopyTo(buffer);
                _position += n;
                Interlocked.Increment(ref _pieces);
                var last = _position == _data.Length;
                if (last)
                {
                    _counters?.Open.Down();
                }
                return new Piece(n, _claimZeros && ZeroData.IsZero(buffer[..n]), last);
            }
            finally
            {
                _counters?.Producing.Down();
            }
        }

        public void Complete(string md5Hex)
        {
            Assert.Equal(0, Disposals);
            Md5 = md5Hex;
            Completions++;
            CompletedOn = Environment.CurrentManagedThreadId;
        }

        public void Dispose()
        {
            Interlocked.Increment(ref Disposals);
            _counters?.Alive.Down();
        }
    }

    /// <summary>How many jobs were alive (taken, not yet disposed), open (taken, last piece not yet made) and making a piece.</summary>
    private sealed class Counters
    {
        public readonly Gauge Alive = new();
        public readonly Gauge Open = new();
        public readonly Gauge Producing = new();

        public void Taken()
        {
            Alive.Up();
            Open.Up();
        }
    }

    /// <summary>Objects of every shape the runner treats apart: empty, tiny, zeros first, zeros only, zeros inside, random.</summary>
    private static List<byte[]> Objects(int seed)
    {
        var random = new Random(seed);
        byte[] Random(int length)
        {
            var b = new byte[length];
            random.NextBytes(b);
            return b;
        }
        byte[] Join(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
        return new List<byte[]>
        {
            Array.Empty<byte>(),
            Random(1),
            Random(PieceSize),
            Random(3 * PieceSize + 17),
            new byte[PieceSize],
            new byte[(1 << 20) + 3 * PieceSize], // zeros past the first cached MiB state
            Join(new byte[2 * PieceSize], Random(PieceSize + 5)), // resumes from the zero state
            Join(Random(PieceSize), new byte[3 * PieceSize], Random(100)), // zeros after data are hashed
            Join(Random(PieceSize), new byte[PieceSize]), // ends with zeros
            Join(new byte[PieceSize - 1], Random(1)), // one byte short of a zero piece
            Random(5 * PieceSize),
            Random(7),
        };
    }

    /// <summary>Runs jobs in order; returns how many times afterRound ran and how many jobs were complete at its last call.</summary>
    private static (int Rounds, int CompleteAtLastRound) RunAll(IReadOnlyList<Job> jobs, int slots, int workers, CancellationToken cancel = default,
        Counters? counters = null, Action? afterRound = null)
    {
        var queue = new Queue<Job>(jobs);
        var rounds = 0;
        var completeAtLast = -1;
        new PieceRunner(slots, workers, PieceSize).Run(
            () =>
            {
                if (!queue.TryDequeue(out var job))
                {
                    return null;
                }
                job.Taken = true;
                counters?.Taken();
                return job;
            },
            () =>
            {
                rounds++;
                completeAtLast = jobs.Count(j => j.Completions > 0);
                afterRound?.Invoke();
            },
            cancel);
        return (rounds, completeAtLast);
    }

    [Theory]
    [InlineData(32768, 1 << 20)]
    [InlineData(4096, 1 << 20)]
    [InlineData(1000, 1048000)] // whole blocks, not above 1 MiB
    [InlineData(1 << 20, 1 << 20)]
    [InlineData(3 << 20, 3 << 20)] // at least one block
    public void APieceIsAboutOneMebibyteOfWholeBlocks(long block, int piece) => Assert.Equal(piece, PieceRunner.Piece(block));

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(4, 2, 2)]
    [InlineData(16, 2, 3)]
    [InlineData(3, 4, 4)]
    public void EveryObjectGetsTheMd5OfItsBytesAndIsCompletedThenDisposedOnce(int slots, int workers, int seed)
    {
        foreach (var claimZeros in new[] { true, false })
        {
            var jobs = Objects(seed).Select(d => new Job(d, claimZeros)).ToList();
            var (rounds, completeAtLast) = RunAll(jobs, slots, workers);
            Assert.All(jobs, j =>
            {
                Assert.Equal(j.Expected, j.Md5);
                Assert.Equal((1, 1), (j.Completions, j.Disposals));
                Assert.Equal(Environment.CurrentManagedThreadId, j.CompletedOn);
            });
            Assert.Equal(jobs.Count, completeAtLast); // afterRound runs once more after the last completion
            Assert.True(rounds >= 2);
        }
    }

    [Fact]
    public void ManyRoundsOfManyObjectsInLanes()
    {
        var random = new Random(11);
        var jobs = Enumerable.Range(0, 40).Select(i =>
        {
            var data = new byte[random.Next(0, 9 * PieceSize)];
            random.NextBytes(data);
            return new Job(data);
        }).ToList();
        RunAll(jobs, slots: 16, workers: 2);
        Assert.All(jobs, j => Assert.Equal(j.Expected, j.Md5));
    }

    [Fact]
    public void NoJobsMeansOneAfterRoundAndNothingElse()
    {
        var (rounds, _) = RunAll(Array.Empty<Job>(), 4, 2);
        Assert.Equal(1, rounds);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(8, 2)]
    public void NoMoreJobsThanSlotsAndNoMoreProducersThanWorkersAtOnce(int slots, int workers)
    {
        // A job whose last piece is made waits one round for its MD5 while its slot takes the next job: at most two
        // jobs per slot are alive, one of them still making pieces.
        var counters = new Counters();
        var jobs = Objects(7).Concat(Objects(8)).Select(d => new Job(d, counters: counters)).ToList();
        RunAll(jobs, slots, workers, counters: counters);
        Assert.InRange(counters.Open.Peak, 1, slots);
        Assert.InRange(counters.Alive.Peak, 1, 2 * slots);
        Assert.InRange(counters.Producing.Peak, 1, workers);
        Assert.All(jobs, j => Assert.Equal(j.Expected, j.Md5));
    }

    [Fact]
    public void NullWhileJobsAreInFlightOnlyMeansNoneToStartNow()
    {
        // The source has nothing more until the long job is well under way; the runner must keep asking.
        var random = new Random(3);
        var data = new byte[20 * PieceSize];
        random.NextBytes(data);
        var longJob = new Job(data);
        var later = Objects(4).Select(d => new Job(d)).ToList();
        var pending = new Queue<Job>(later);
        var asked = 0;
        var first = true;
        new PieceRunner(4, 2, PieceSize).Run(() =>
        {
            asked++;
            if (first)
            {
                first = false;
                return longJob;
            }
            return longJob.PiecesMade >= 5 && pending.TryDequeue(out var j) ? j : null;
        }, () => { }, default);
        Assert.True(asked > later.Count + 1, "the source said null at least once while the long job ran");
        Assert.All(later.Append(longJob), j => Assert.Equal((j.Expected, 1), (j.Md5, j.Disposals)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void ALoneObjectRunsOnTheCallersThreadWithThePlatformsMd5(int? seedIndex)
    {
        var data = seedIndex is { } i ? Objects(5)[i] : new byte[3 * PieceSize];
        var job = new Job(data);
        PieceRunner.RunAlone(job, new byte[PieceSize], default);
        Assert.Equal((job.Expected, 1, Environment.CurrentManagedThreadId), (job.Md5, job.Completions, job.CompletedOn));
        Assert.Equal(0, job.Disposals); // RunAlone's caller owns the job
    }

    [Fact]
    public void AJobsFailureReachesTheCallerAsItselfAndEveryJobTakenIsDisposed()
    {
        var boom = new IOException("read failed");
        var counters = new Counters();
        var jobs = Objects(9).Select((d, i) => new Job(d, counters: counters)
        {
            BeforePiece = (piece, _) =>
            {
                if (i == 3 && piece == 2)
                {
                    throw boom;
                }
            },
        }).ToList();
        var e = Assert.Throws<IOException>(() => RunAll(jobs, 4, 2, counters: counters));
        Assert.Same(boom, e);
        AllTakenDisposedOnce(jobs, counters);
        Assert.Null(jobs[3].Md5);
    }

    [Fact]
    public void AnEngineErrorWinsOverOtherFailuresOfTheSameRound()
    {
        // Two jobs fail in the same round: the caller gets the one with an error id, though it came second.
        using var together = new Barrier(2);
        var jobs = new[] { new byte[4 * PieceSize], new byte[4 * PieceSize] }.Select((d, i) => new Job(d)
        {
            BeforePiece = (piece, _) =>
            {
                if (piece == 1)
                {
                    together.SignalAndWait(Patience);
                    if (i == 0)
                    {
                        throw new InvalidOperationException("plain failure");
                    }
                    Thread.Sleep(200); // the plain failure comes first
                    throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData, "object damaged", "obj");
                }
            },
        }).ToList();
        var e = Assert.Throws<CinderBackupException>(() => RunAll(jobs, 2, 2));
        Assert.Equal(ErrorIds.BackupCorrupt, e.ErrorId);
        Assert.All(jobs, j => Assert.Equal(1, j.Disposals));
    }

    [Fact]
    public void CancellationStopsTheRunAndEveryJobTakenIsDisposed()
    {
        using var cts = new CancellationTokenSource();
        var counters = new Counters();
        var jobs = Objects(12).Concat(Objects(13)).Select((d, i) => new Job(d, counters: counters)
        {
            BeforePiece = (piece, token) =>
            {
                if (i == 3 && piece == 1)
                {
                    cts.Cancel();
                }
            },
        }).ToList();
        Assert.ThrowsAny<OperationCanceledException>(() => RunAll(jobs, 4, 2, cts.Token, counters));
        AllTakenDisposedOnce(jobs, counters);
        Assert.Contains(jobs, j => j.Completions == 0);
    }

    [Fact]
    public void AFailureAfterARoundStopsTheRunAndEveryJobTakenIsDisposed()
    {
        var counters = new Counters();
        var jobs = Objects(14).Select(d => new Job(d, counters: counters)).ToList();
        var rounds = 0;
        var e = Assert.Throws<InvalidOperationException>(() =>
            RunAll(jobs, 3, 2, counters: counters, afterRound: () =>
            {
                if (++rounds == 4)
                {
                    throw new InvalidOperationException("progress sink failed");
                }
            }));
        Assert.Equal("progress sink failed", e.Message);
        AllTakenDisposedOnce(jobs, counters);
    }

    /// <summary>Every job the runner took was disposed once, and no other; what completed has the right MD5.</summary>
    private static void AllTakenDisposedOnce(List<Job> jobs, Counters counters)
    {
        Assert.Contains(jobs, j => j.Taken);
        Assert.All(jobs, j => Assert.Equal(j.Taken ? 1 : 0, j.Disposals));
        Assert.All(jobs.Where(j => j.Completions > 0), j => Assert.Equal(j.Expected, j.Md5));
        Assert.Equal(0, counters.Alive.Now);
    }
}
