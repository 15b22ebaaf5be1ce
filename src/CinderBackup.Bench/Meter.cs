using System.Diagnostics;
using System.Globalization;

namespace CinderBackup.Bench;

/// <summary>
/// Measures a piece of work in this process: wall time, CPU seconds of all threads, and the peak resident memory
/// during the work alone (Linux lets a process reset its peak, VmHWM, through /proc/self/clear_refs).
/// </summary>
internal static class Meter
{
    public static BenchSample Run(Action work, Func<long?>? stored = null)
    {
        // Garbage from the previous case must not count against this one.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var peakReset = ResetPeak();
        var load = LoadAverage();
        var cpu = CpuSeconds();
        var clock = Stopwatch.StartNew();
        work();
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = CpuSeconds() - cpu;
        return new BenchSample
        {
            Seconds = seconds,
            CpuSeconds = cpuSeconds,
            PeakBytes = peakReset ? PeakBytes() : null,
            StoredBytes = stored?.Invoke(),
            LoadAverage = load,
        };
    }

    public static double CpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>The 1-minute load average (0 where /proc/loadavg does not exist).</summary>
    public static double LoadAverage()
    {
        var text = LoadAverages();
        return text.Length > 0 && double.TryParse(text.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    /// <summary>"1-min 5-min 15-min" load averages, or "" where unknown.</summary>
    public static string LoadAverages()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(' ', parts.Take(3));
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? PeakBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }
}
