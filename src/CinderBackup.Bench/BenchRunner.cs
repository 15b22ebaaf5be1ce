using System.Runtime.InteropServices;

namespace CinderBackup.Bench;

/// <summary>
/// The benchmark behind <c>cinder-backup bench</c>: generates its volumes, runs every case with CinderBackup,
/// with Cinder's own PosixBackupDriver and with reference commands, in the same run and interleaved (so both
/// see the same machine load), and checks the project's targets against the medians.
/// </summary>
public static class BenchRunner
{
    public const string FullNone = "full-none";
    public const string FullZlib = "full-zlib";
    public const string FullBz2 = "full-bz2";
    public const string FullZstd = "full-zstd";
    public const string IncrementalChanged = "incr-1pct";
    public const string IncrementalUnchanged = "incr-unchanged";
    public const string RestoreFull = "restore-full";
    public const string RestoreChain = "restore-chain";
    public const string VerifyDeep = "verify-deep";
    public const string FullZstdRandom = "full-zstd-random";
    public const string FullZlibRandom = "full-zlib-random";
    public const string FullSparse = "full-sparse";
    public const string FullSparseNone = "full-sparse-none";
    public const string FullLargeObjects = "full-zstd-large-objects";
    public const string RestoreLargeObjects = "restore-large-objects";

    public static readonly IReadOnlyList<string> CaseNames = new[]
    {
        FullNone, FullZlib, FullBz2, FullZstd, IncrementalChanged, IncrementalUnchanged, RestoreFull, RestoreChain, VerifyDeep,
        FullZstdRandom, FullZlibRandom, FullSparse, FullSparseNone, FullLargeObjects, RestoreLargeObjects,
    };

    public static BenchReport Run(BenchOptions options, Action<string>? log = null, CancellationToken cancel = default)
    {
        Validate(options);
        var report = new BenchReport
        {
            StartedAt = DateTime.UtcNow,
            Machine = CpuModel(),
            Processors = System.Environment.ProcessorCount,
            Runtime = RuntimeInformation.FrameworkDescription,
            LoadAtStart = Meter.LoadAverages(),
            Options = options,
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (options.StartupRuns > 0 && options.StartupLaunch is { Count: > 0 } launch)
        {
            var scratch = Directory.CreateTempSubdirectory("cinderbackup-startup-").FullName;
            try
            {
                report.CliStartup = CliStartup.Measure(launch, options.StartupRuns, scratch, cancel);
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
        using (var session = new BenchSession(options, report, log ?? (_ => { }), cancel))
        {
            session.Run();
        }
        report.TotalSeconds = clock.Elapsed.TotalSeconds;
        report.LoadAtEnd = Meter.LoadAverages();
        Compare(report);
        report.Targets.AddRange(BenchTargets.Evaluate(report));
        return report;
    }

    /// <summary>Refuses options that cannot make a benchmark, naming the option, before anything is written.</summary>
    private static void Validate(BenchOptions o)
    {
        static void Fail(string what, string target) =>
            throw new Engine.Errors.CinderBackupException(Engine.Errors.ErrorIds.InvalidArgument, Engine.Errors.ErrorKind.InvalidArgument, what, target);
        if (o.Cases is { } cases && cases.FirstOrDefault(c => !CaseNames.Contains(c)) is string unknown)
        {
            Fail($"Unknown benchmark case '{unknown}'; the cases are {string.Join(", ", CaseNames)}.", unknown);
        }
        if (o.Directory is string dir)
        {
            // The run removes its scratch files afterwards; in a directory that already holds files it could take
            // someone's repo/, home/ or *.img with them, so only an empty or new directory is accepted.
            var full = Path.GetFullPath(dir);
            if (File.Exists(full))
            {
                Fail($"--dir '{full}' is a file, not a directory.", full);
            }
            if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
            {
                Fail($"--dir '{full}' is not empty. The benchmark removes what it writes there afterwards, so it needs an empty or new directory; it never deletes what it did not create.", full);
            }
        }
        if (o.Runs < 1)
        {
            Fail($"--runs must be at least 1, not {o.Runs}.", "--runs");
        }
        if (o.StartupRuns < 0)
        {
            Fail($"--startup-runs must be 0 or more, not {o.StartupRuns}.", "--startup-runs");
        }
        if (o.CinderSparseRuns < 0)
        {
            Fail($"--cinder-sparse-runs must be 0 or more, not {o.CinderSparseRuns}.", "--cinder-sparse-runs");
        }
        if (o.Workers is < 1)
        {
            Fail($"--workers must be at least 1, not {o.Workers}.", "--workers");
        }
        foreach (var (name, value) in new[] { ("--size", o.MixedBytes), ("--random-size", o.RandomBytes), ("--sparse-size", o.SparseBytes),
            ("--sparse-data", o.SparseDataBytes), ("--object-size", o.ObjectSize), ("--large-object-size", o.LargeObjectSize) })
        {
            if (value < BenchOptions.MiB || value % BenchSession.ShaBlock != 0)
            {
                Fail($"{name} must be at least 1 MiB and a multiple of {BenchSession.ShaBlock} bytes, not {value}.", name);
            }
        }
        if (o.SparseDataBytes > o.SparseBytes)
        {
            Fail($"--sparse-data ({o.SparseDataBytes} bytes) cannot be more than --sparse-size ({o.SparseBytes} bytes).", "--sparse-data");
        }
    }

    /// <summary>Fills each row's speed ratios against Cinder's row of the same case and against its baseline.</summary>
    private static void Compare(BenchReport report)
    {
        var baselines = new Dictionary<string, string>
        {
            [FullNone] = BenchSession.CopyTool,
            [FullZstd] = BenchSession.ZstdTool,
            [FullZstdRandom] = BenchSession.ZstdTool,
            [IncrementalChanged] = BenchSession.Sha256sumTool,
            [IncrementalUnchanged] = BenchSession.Sha256sumTool,
            [VerifyDeep] = BenchSession.Sha256sumTool,
            [RestoreFull] = BenchSession.CopyTool,
            [RestoreChain] = BenchSession.CopyTool,
            [FullSparse] = BenchSession.ZstdTool,
            [FullSparseNone] = BenchSession.ReadHashTool,
        };
        foreach (var row in report.Results.Where(r => r.Tool == BenchResult.CinderBackupTool))
        {
            var cinder = report.Results.FirstOrDefault(r => r.Case == row.Case && r.Tool == BenchResult.CinderTool);
            if (cinder is not null && row.Seconds > 0)
            {
                row.VsCinder = cinder.Seconds / row.Seconds;
            }
            if (baselines.TryGetValue(row.Case, out var tool))
            {
                var volume = row.Case is FullSparse or FullSparseNone ? BenchSession.SparseDataVolume : row.Volume;
                var baseline = report.Results.FirstOrDefault(r => r.Case == BenchSession.BaselineCase && r.Tool == tool && r.Volume == volume);
                if (baseline is not null && row.Seconds > 0)
                {
                    row.Baseline = $"{tool} ({volume})";
                    row.VsBaseline = baseline.Seconds / row.Seconds;
                }
            }
        }
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
