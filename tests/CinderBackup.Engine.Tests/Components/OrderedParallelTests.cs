using System.Collections.Concurrent;
using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.Restore;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// <see cref="OrderedParallel"/> on its own: results made on several workers are consumed on the caller's thread in
/// index order, at most <c>window</c> of them wait, a failure or a cancellation anywhere stops everything and reaches the
/// caller as itself, and every result made is either consumed or discarded, exactly once.
/// </summary>
public sealed class OrderedParallelTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>What one run did: results consumed in order, results discarded, how many were made.</summary>
    private sealed class Ledger
    {
        public readonly List<int> Consumed = new();
        public readonly ConcurrentBag<int> Discarded = new();
        public readonly ConcurrentBag<int> Produced = new();
        public int ConsumerThread = -1;

        /// <summary>
        /// Every result made was consumed or discarded, and only once; except the one whose consumption failed, which
        /// the consumer had taken.
        /// </summary>
        public void Balanced(int? failedConsuming = null)
        {
            var handled = Consumed.Concat(Discarded).OrderBy(i => i).ToArray();
            Assert.Equal(Produced.Where(i => i != failedConsuming).OrderBy(i => i).ToArray(), handled);
        }
    }

    private static void Run(Ledger ledger, int count, int workers, int window, Func<int, CancellationToken, int> produce,
        Action<int>? consume = null, CancellationToken cancel = default)
    {
        OrderedParallel.Run(count, workers, window,
            (i, token) =>
            {
                var r = produce(i, token);
                ledger.Produced.Add(r);
                return r;
            },
            (i, r) =>
            {
                Assert.Equal(i, r);
                ledger.ConsumerThread = Environment.CurrentManagedThreadId;
                consume?.Invoke(i);
                ledger.Consumed.Add(r);
            },
            r => ledger.Discarded.Add(r), cancel);
    }

    [Fact]
    public void NothingToDoCallsNothing()
    {
        var ledger = new Ledger();
        Run(ledger, 0, 4, 8, (i, _) => throw new InvalidOperationException("not called"));
        Assert.Empty(ledger.Consumed);
        Assert.Empty(ledger.Discarded);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1, 4, 1)]
    [InlineData(5, 1, 1)]
    [InlineData(50, 3, 5)]
    [InlineData(7, 16, 2)] // more workers than items, window below the workers
    public void EveryIndexIsConsumedOnceInOrderOnTheCallersThread(int count, int workers, int window)
    {
        var ledger = new Ledger();
        Run(ledger, count, workers, window, (i, _) => i);
        Assert.Equal(Enumerable.Range(0, count), ledger.Consumed);
        Assert.Empty(ledger.Discarded);
        Assert.Equal(Environment.CurrentManagedThreadId, ledger.ConsumerThread);
    }

    [Fact]
    public void ResultsFinishedOutOfOrderAreStillConsumedInOrder()
    {
        // Item 0 is held back until items 1 and 2 are made: they finish first, and must wait for it.
        var ledger = new Ledger();
        var finished = new ConcurrentQueue<int>();
        using var others = new CountdownEvent(2);
        Run(ledger, 6, 3, 6, (i, _) =>
        {
            if (i == 0)
            {
                Assert.True(others.Wait(Patience));
            }
            finished.Enqueue(i);
            if (i is 1 or 2)
            {
                others.Signal();
            }
            return i;
        });
        Assert.NotEqual(0, finished.First()); // the case this test is about did happen
        Assert.Equal(Enumerable.Range(0, 6), ledger.Consumed);
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 5)]
    [InlineData(4, 1)] // the window is at least the workers
    public async Task AtMostTheWindowOfResultsWaitsUnconsumed(int workers, int window)
    {
        // A slow consumer: the workers run ahead as far as the window lets them, and no further.
        var ledger = new Ledger();
        var outstanding = new Gauge();
        var running = new Gauge();
        await Task.Run(() => Run(ledger, 40, workers, window,
            (i, _) =>
            {
                outstanding.Up();
                running.Up();
                Thread.Sleep(1);
                running.Down();
                return i;
            },
            i =>
            {
                Thread.Sleep(5);
                outstanding.Down();
            })).WaitAsync(Patience); // a window that is never given back hangs
        Assert.InRange(outstanding.Peak, 2, Math.Max(window, workers));
        Assert.InRange(running.Peak, 1, workers);
        Assert.Equal(Enumerable.Range(0, 40), ledger.Consumed);
    }

    [Fact]
    public void AProducersFailureReachesTheCallerAsItselfAndTheRestIsDiscarded()
    {
        var ledger = new Ledger();
        var boom = new IOException("disk gone");
        var e = Assert.Throws<IOException>(() => Run(ledger, 30, 3, 6, (i, _) => i == 4 ? throw boom : i));
        Assert.Same(boom, e);
        // What was ready in order before the failure may be consumed, nothing from the failed index on.
        Assert.InRange(ledger.Consumed.Count, 0, 4);
        Assert.Equal(Enumerable.Range(0, ledger.Consumed.Count), ledger.Consumed);
        Assert.DoesNotContain(4, ledger.Produced);
        ledger.Balanced();
    }

    [Fact]
    public void TheFirstFailureWinsOverTheCancellationsItCauses()
    {
        // Item 0 waits for the run to be cancelled, then fails with that cancellation; item 1 is the real failure.
        var ledger = new Ledger();
        var released = false;
        var e = Assert.Throws<InvalidDataException>(() => Run(ledger, 2, 2, 2, (i, token) =>
        {
            if (i == 1)
            {
                throw new InvalidDataException("bad object");
            }
            released = token.WaitHandle.WaitOne(Patience);
            token.ThrowIfCancellationRequested();
            return i;
        }));
        Assert.Equal("bad object", e.Message);
        Assert.True(released, "the other workers are cancelled when one fails");
        Assert.Empty(ledger.Consumed);
    }

    [Fact]
    public void AConsumersFailureStopsTheWorkersAndDiscardsWhatTheyMade()
    {
        var ledger = new Ledger();
        var e = Assert.Throws<InvalidOperationException>(() =>
            Run(ledger, 1000, 2, 8, (i, _) => i, i =>
            {
                if (i == 3)
                {
                    throw new InvalidOperationException("commit failed");
                }
            }));
        Assert.Equal("commit failed", e.Message);
        Assert.Equal(new[] { 0, 1, 2 }, ledger.Consumed);
        Assert.True(ledger.Produced.Count < 1000, "the workers stopped");
        Assert.DoesNotContain(3, ledger.Discarded);
        ledger.Balanced(failedConsuming: 3);
    }

    [Fact]
    public async Task AFailureWhileTheWindowIsFullDoesNotHang()
    {
        // Workers blocked on a full window must wake up when a result in the window fails to be consumed.
        var ledger = new Ledger();
        var task = Task.Run(() => Assert.Throws<TimeoutException>(() =>
            Run(ledger, 100, 2, 2, (i, _) => i, i =>
            {
                if (i == 1)
                {
                    Thread.Sleep(50); // let the workers fill the window
                    throw new TimeoutException("slow disk");
                }
            })));
        await task.WaitAsync(Patience); // the run returned
        ledger.Balanced(failedConsuming: 1);
    }

    [Fact]
    public void CancellingTheCallersTokenStopsTheRunWithOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        var ledger = new Ledger();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Run(ledger, 10_000, 2, 4, (i, token) =>
            {
                token.ThrowIfCancellationRequested();
                return i;
            }, i =>
            {
                if (i == 10)
                {
                    cts.Cancel();
                }
            }, cts.Token));
        Assert.InRange(ledger.Consumed.Count, 11, 10_000 - 1);
        Assert.Equal(Enumerable.Range(0, ledger.Consumed.Count), ledger.Consumed);
        ledger.Balanced();
    }

    [Fact]
    public void ATokenCancelledBeforehandRunsNothing()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var ledger = new Ledger();
        Assert.ThrowsAny<OperationCanceledException>(() => Run(ledger, 10, 2, 4, (i, _) => i, cancel: cts.Token));
        Assert.Empty(ledger.Produced);
        Assert.Empty(ledger.Consumed);
    }

    [Fact]
    public async Task AProducerBlockedOnItsTokenIsReleasedByTheCallersCancellation()
    {
        using var cts = new CancellationTokenSource();
        var ledger = new Ledger();
        var task = Task.Run(() => Assert.ThrowsAny<OperationCanceledException>(() => Run(ledger, 4, 2, 2, (i, token) =>
        {
            if (i == 0)
            {
                cts.Cancel();
            }
            Assert.True(token.WaitHandle.WaitOne(Patience), "the token given to the producer follows the caller's");
            token.ThrowIfCancellationRequested();
            return i;
        }, cancel: cts.Token)));
        await task.WaitAsync(2 * Patience); // the run returned
        Assert.Empty(ledger.Consumed);
    }
}
