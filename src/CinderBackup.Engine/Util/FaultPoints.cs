using System.Diagnostics;

namespace CinderBackup.Engine.Util;

/// <summary>
/// Named points in the write paths where the fault-injection tests make a process fail on purpose, to prove that
/// what is left behind is always consistent. Armed only by the environment variable
/// <c>CINDERBACKUP_FAULT=&lt;point&gt;[#&lt;n&gt;][:kill|enospc|eio|pause]</c> (the n-th time the point is reached; kill -9 by
/// default; pause waits 2 s there and goes on, so racing processes meet inside a transaction); otherwise a hit costs one
/// comparison.
/// </summary>
internal static class FaultPoints
{
    private static readonly Spec? Armed = Parse(Environment.GetEnvironmentVariable("CINDERBACKUP_FAULT"));
    private static int _hits;

    private sealed record Spec(string Point, int Count, string Action);

    public static void Hit(string point)
    {
        if (Armed is null || !string.Equals(Armed.Point, point, StringComparison.Ordinal) || Interlocked.Increment(ref _hits) != Armed.Count)
        {
            return;
        }
        switch (Armed.Action)
        {
            case "enospc":
                throw new IOException("No space left on device", 28);
            case "eio":
                throw new IOException("Input/output error", 5);
            case "pause":
                Thread.Sleep(TimeSpan.FromSeconds(2));
                break;
            default:
                using (var self = Process.GetCurrentProcess())
                {
                    self.Kill(); // SIGKILL: no finally blocks, no flushing, like a power cut to the process
                }
                Thread.Sleep(Timeout.Infinite);
                break;
        }
    }

    private static Spec? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var action = "kill";
        var colon = value.LastIndexOf(':');
        if (colon > 0)
        {
            action = value[(colon + 1)..];
            value = value[..colon];
        }
        var count = 1;
        var hash = value.LastIndexOf('#');
        if (hash > 0 && int.TryParse(value[(hash + 1)..], out var n) && n > 0)
        {
            count = n;
            value = value[..hash];
        }
        return new Spec(value, count, action);
    }
}
