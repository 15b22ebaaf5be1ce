namespace CinderBackup.Engine.Pipeline;

/// <summary>
/// Produces results for indexes 0..count-1 on several workers and hands them to the caller's thread in index
/// order. At most <c>window</c> results wait uncommitted, which bounds staging space. A failure anywhere stops
/// everything; results not yet consumed are discarded.
/// </summary>
internal static class OrderedParallel
{
    public static void Run<T>(int count, int workers, int window, Func<int, CancellationToken, T> produce, Action<int, T> consume,
        Action<T> discard, CancellationToken cancel)
    {
        if (count == 0)
        {
            return;
        }
        workers = Math.Max(1, Math.Min(workers, count));
        window = Math.Max(window, workers);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using var slots = new SemaphoreSlim(window, window);
        var results = new T[count];
        var ready = new bool[count];
        var gate = new object();
        var next = -1;
        Exception? failure = null;

        void Worker()
        {
            try
            {
                while (true)
                {
                    slots.Wait(cts.Token);
                    var i = Interlocked.Increment(ref next);
                    if (i >= count)
                    {
                        slots.Release();
                        return;
                    }
                    var r = produce(i, cts.Token);
                    lock (gate)
                    {
                        results[i] = r;
                        ready[i] = true;
                        Monitor.PulseAll(gate);
                    }
                }
            }
            catch (Exception e)
            {
                lock (gate)
                {
                    failure ??= e;
                    Monitor.PulseAll(gate);
                }
                cts.Cancel();
            }
        }

        var threads = Enumerable.Range(0, workers).Select(_ => new Thread(Worker) { IsBackground = true, Name = "cinderbackup-worker" }).ToList();
        threads.ForEach(t => t.Start());
        var consumed = 0;
        try
        {
            for (; consumed < count; consumed++)
            {
                T item;
                lock (gate)
                {
                    while (!ready[consumed] && failure is null && !cts.IsCancellationRequested)
                    {
                        Monitor.Wait(gate, 200);
                    }
                    if (!ready[consumed])
                    {
                        break;
                    }
                    item = results[consumed];
                    results[consumed] = default!;
                    ready[consumed] = false;
                }
                consume(consumed, item);
                slots.Release();
            }
        }
        catch (Exception e)
        {
            lock (gate)
            {
                failure ??= e;
            }
            cts.Cancel();
        }
        finally
        {
            if (consumed < count)
            {
                cts.Cancel();
            }
            threads.ForEach(t => t.Join());
            for (var i = 0; i < count; i++)
            {
                if (ready[i])
                {
                    discard(results[i]);
                }
            }
        }
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
        cancel.ThrowIfCancellationRequested();
    }
}
