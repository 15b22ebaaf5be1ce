using System.Globalization;
using CinderBackup.Engine.Pipeline;

namespace CinderBackup.Cli;

/// <summary>A one-line progress bar on a terminal's stderr: percent, bytes, rate and time left, at most 4 updates a second.</summary>
internal sealed class ProgressBar : IProgress<TransferProgress>
{
    private readonly TextWriter _err;
    private readonly string _activity;
    private readonly long _start = Environment.TickCount64;
    private long _last;

    public ProgressBar(TextWriter err, string activity)
    {
        _err = err;
        _activity = activity;
    }

    public void Report(TransferProgress p)
    {
        var now = Environment.TickCount64;
        lock (this)
        {
            if (now - _last < 250 && p.BytesDone < p.BytesTotal)
            {
                return;
            }
            _last = now;
            var seconds = Math.Max(0.001, (now - _start) / 1000.0);
            var rate = p.BytesDone / seconds;
            var left = rate > 0 ? TimeSpan.FromSeconds((p.BytesTotal - p.BytesDone) / rate) : TimeSpan.Zero;
            var width = 30;
            var filled = (int)(width * p.Percent / 100);
            _err.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r{_activity} [{new string('#', filled)}{new string('.', width - filled)}] {p.Percent,5:0.0}% {rate / 1e6,7:0.0} MB/s {left:hh\\:mm\\:ss} left"));
            if (p.BytesDone >= p.BytesTotal)
            {
                _err.WriteLine();
            }
        }
    }
}
