using System.Diagnostics;

namespace CinderBackup.Bench;

/// <summary>
/// What starting the CLI costs (issue 20, item 11): the median wall time of <see cref="Runs"/> runs of
/// <c>cinder-backup volume backup list</c> on an empty catalog, each a new process, after one unmeasured run that
/// creates the catalog (so every measured run starts warm, as a script's second command does).
/// </summary>
public sealed record CliStartup(string Command, int Runs, double MedianSeconds, double MinSeconds, double MaxSeconds)
{
    public static readonly IReadOnlyList<string> Arguments = new[] { "volume", "backup", "list" };

    /// <summary>Runs <paramref name="launch"/> (the program, then its first arguments) with <see cref="Arguments"/>.</summary>
    internal static CliStartup Measure(IReadOnlyList<string> launch, int runs, string scratch, CancellationToken cancel)
    {
        // A private data directory and an empty configuration file: the user's catalog (or database) is never read.
        var home = Path.Combine(scratch, "startup-home");
        Directory.CreateDirectory(home);
        var config = Path.Combine(scratch, "startup.yaml");
        File.WriteAllText(config, "");
        try
        {
            Run(launch, home, config);
            var seconds = new List<double>(runs);
            for (var i = 0; i < runs; i++)
            {
                cancel.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                Run(launch, home, config);
                seconds.Add(clock.Elapsed.TotalSeconds);
            }
            seconds.Sort();
            var command = "cinder-backup " + string.Join(' ', Arguments);
            return new CliStartup(command, runs, seconds[(seconds.Count - 1) / 2], seconds[0], seconds[^1]);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
            File.Delete(config);
        }
    }

    private static void Run(IReadOnlyList<string> launch, string home, string config)
    {
        var psi = new ProcessStartInfo(launch[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in launch.Skip(1).Concat(Arguments))
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["CINDERBACKUP_HOME"] = home;
        psi.Environment["CINDERBACKUP_CONFIG"] = config;
        psi.Environment.Remove(Engine.Config.ConfigSchema.DatabaseVariable);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("cinder-backup volume backup list did not finish in 120 s.");
        }
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"cinder-backup volume backup list failed (exit code {p.ExitCode}): {stderr.Result.Trim()}");
        }
        _ = stdout.Result;
    }
}
