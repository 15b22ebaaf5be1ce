using System.Diagnostics;
using System.Globalization;

namespace CinderBackup.Bench;

/// <summary>
/// Runs a reference command (cp --sparse=always, sha256sum, zstd -1 -T2) under GNU time, which reports its CPU
/// seconds and peak memory; without /usr/bin/time only the wall time is known.
/// </summary>
internal static class Baseline
{
    private const string TimeProgram = "/usr/bin/time";

    /// <summary>The program's full path, or null when it is not installed.</summary>
    public static string? Find(string program)
    {
        foreach (var dir in (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            var path = Path.Combine(dir, program);
            if (dir.Length > 0 && File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    public static BenchSample Run(string program, IEnumerable<string> arguments, string scratch)
    {
        var report = Path.Combine(scratch, "time.out");
        var timed = File.Exists(TimeProgram);
        var psi = new ProcessStartInfo(timed ? TimeProgram : program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (timed)
        {
            foreach (var a in new[] { "-f", "%U %S %M", "-o", report, program })
            {
                psi.ArgumentList.Add(a);
            }
        }
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }
        var load = Meter.LoadAverage();
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        var seconds = clock.Elapsed.TotalSeconds;
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', psi.ArgumentList.Skip(timed ? 5 : 0))} failed ({p.ExitCode}): {stderr.Result.Trim()}");
        }
        _ = stdout.Result;
        double cpu = 0;
        long? peak = null;
        if (timed)
        {
            var f = File.ReadAllText(report).Trim().Split('\n')[^1].Split(' ');
            cpu = double.Parse(f[0], CultureInfo.InvariantCulture) + double.Parse(f[1], CultureInfo.InvariantCulture);
            peak = long.Parse(f[2], CultureInfo.InvariantCulture) * 1024;
            File.Delete(report);
        }
        return new BenchSample { Seconds = seconds, CpuSeconds = cpu, PeakBytes = peak, LoadAverage = load };
    }
}
