namespace CinderBackup.Engine.Pipeline;

/// <summary>
/// A token bucket shared by an operation's workers: at most <c>bytesPerSecond</c> of volume I/O, with up to
/// one second of burst. Used for backup_io_bandwidth_limit.
/// </summary>
internal sealed class IoThrottle
{
    private readonly long _rate;
    private readonly object _gate = new();
    private double _tokens;
    private long _last = Environment.TickCount64;

    public IoThrottle(long bytesPerSecond)
    {
        _rate = Math.Max(1, bytesPerSecond);
        _tokens = _rate;
    }

    public void Consume(long bytes)
    {
        while (true)
        {
            int wait;
            lock (_gate)
            {
                var now = Environment.TickCount64;
                _tokens = Math.Min(_rate, _tokens + (now - _last) * _rate / 1000.0);
                _last = now;
                if (_tokens >= bytes || _tokens >= _rate)
                {
                    _tokens -= bytes;
                    return;
                }
                wait = (int)Math.Ceiling((bytes - _tokens) * 1000.0 / _rate);
            }
            Thread.Sleep(Math.Clamp(wait, 1, 1000));
        }
    }
}
