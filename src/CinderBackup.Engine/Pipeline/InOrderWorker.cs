using System.Runtime.ExceptionServices;

namespace CinderBackup.Engine.Pipeline;

/// <summary>
/// Handles items in sequence order (0, 1, 2, ...) on a thread of its own, whatever order they are added in, so
/// serial work (publishing a backup's objects under sequential names) runs beside the parallel work that produces
/// them instead of between its rounds. The first failure stops it and is thrown to the producer by the next
/// <see cref="Add"/>, <see cref="ThrowIfFailed"/> or wait; items never handled are discarded on dispose.
/// </summary>
internal sealed class InOrderWorker<T> : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<long, T> _ready = new();
    private readonly Action<T> _handle;
    private readonly Action<T> _discard;
    private readonly Thread _thread;
    private long _next;
    private bool _stopping;
    private ExceptionDispatchInfo? _error;

    /// <param name="handle">Handles one item; an exception stops the worker.</param>
    /// <param name="discard">Releases an item that will not be handled, or whose handling failed (so releasing
    /// must be harmless for an item already released).</param>
    public InOrderWorker(string name, Action<T> handle, Action<T> discard)
    {
        _handle = handle;
        _discard = discard;
        _thread = new Thread(Serve) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>How many items have been handled: the next to handle has this sequence number.</summary>
    public long Handled
    {
        get
        {
            lock (_gate)
            {
                return _next;
            }
        }
    }

    public void Add(long sequence, T item)
    {
        lock (_gate)
        {
            if (_error is not null || _stopping)
            {
                _discard(item);
                _error?.Throw();
                throw new ObjectDisposedException(nameof(InOrderWorker<T>));
            }
            _ready.Add(sequence, item);
            Monitor.PulseAll(_gate);
        }
    }

    public void ThrowIfFailed()
    {
        lock (_gate)
        {
            _error?.Throw();
        }
    }

    /// <summary>Waits until more than <paramref name="handled"/> items are handled.</summary>
    public void WaitBeyond(long handled)
    {
        lock (_gate)
        {
            while (_next <= handled && _error is null)
            {
                Monitor.Wait(_gate);
            }
            _error?.Throw();
        }
    }

    /// <summary>Waits until <paramref name="count"/> items are handled, then stops the thread.</summary>
    public void Finish(long count)
    {
        lock (_gate)
        {
            while (_next < count && _error is null)
            {
                Monitor.Wait(_gate);
            }
            _error?.Throw();
        }
        Stop();
    }

    private void Serve()
    {
        while (true)
        {
            T item;
            lock (_gate)
            {
                while (!_stopping && !_ready.ContainsKey(_next))
                {
                    Monitor.Wait(_gate);
                }
                if (_stopping)
                {
                    return;
                }
                _ready.Remove(_next, out item!);
            }
            try
            {
                _handle(item);
            }
            catch (Exception e)
            {
                try
                {
                    _discard(item); // a handler that failed before taking charge of it (e.g. cancelled) leaves it here
                }
                catch (Exception)
                {
                    // Best effort: the handler's failure is the one to report, and on this thread nothing may escape.
                }
                lock (_gate)
                {
                    _error = ExceptionDispatchInfo.Capture(e);
                    Monitor.PulseAll(_gate);
                }
                return;
            }
            lock (_gate)
            {
                _next++;
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void Stop()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }

    /// <summary>Stops after the item being handled, if any, and discards the rest.</summary>
    public void Dispose()
    {
        Stop();
        foreach (var item in _ready.Values)
        {
            _discard(item);
        }
        _ready.Clear();
    }
}
