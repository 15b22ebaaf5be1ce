using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CinderBackup.Cli.Output;
using CinderBackup.Bench;

namespace CinderBackup.Cli.Commands;

/// <summary>
/// <c>bench</c>: the benchmark (CinderBackup, Cinder's own driver and reference commands on the same generated
/// volumes), printed as tables and optionally as JSON. It uses a private scratch directory and catalog.
/// </summary>
internal static class BenchCommand
{
    public static Command Build(CliApp app)
    {
        var cmd = new Command("bench", "Measure backups, restores and verify on generated volumes, side by side with Cinder's PosixBackupDriver " +
            "and with cp, sha256sum and zstd; print medians, ratios and the project's targets. Takes about half an hour at the default sizes; " +
            "--quick takes seconds.");
        var quick = new Option<bool>("--quick") { Description = "Small volumes (64 MiB mixed, 1 GiB sparse), one run: a smoke test." };
        var runs = new Option<int?>("--runs") { Description = "Runs of every case; medians are reported (default 3).", HelpName = "N" };
        var cases = new Option<string[]>("--case") { Description = $"Only this case (repeatable): {string.Join(", ", BenchRunner.CaseNames)}.", HelpName = "CASE" };
        var size = new Option<string?>("--size") { Description = "Size of the mixed volume (default 2GiB).", HelpName = "BYTES" };
        var randomSize = new Option<string?>("--random-size") { Description = "Size of the incompressible volume (default 1GiB).", HelpName = "BYTES" };
        var sparseSize = new Option<string?>("--sparse-size") { Description = "Size of the sparse volume (default 64GiB).", HelpName = "BYTES" };
        var sparseData = new Option<string?>("--sparse-data") { Description = "Data in the sparse volume (default 1GiB).", HelpName = "BYTES" };
        var objectSize = new Option<string?>("--object-size") { Description = "backup_file_size for both tools (default 128MiB).", HelpName = "BYTES" };
        var largeObjectSize = new Option<string?>("--large-object-size") { Description = "backup_file_size of the large-object cases (default 1GiB).", HelpName = "BYTES" };
        var workers = new Option<int?>("--workers") { Description = "backup_workers for CinderBackup (default: one per processor).", HelpName = "N" };
        var settings = new Option<string[]>("--set") { Description = "Another CinderBackup setting, KEY=VALUE (repeatable), e.g. backup_compression_level=3.", HelpName = "KEY=VALUE" };
        var dir = new Option<string?>("--dir") { Description = "Scratch directory, empty or new (default: a new one under the temporary directory); needs room for the volumes and backups. Only what the run made there is removed.", HelpName = "DIR" };
        var keep = new Option<bool>("--keep") { Description = "Keep the scratch files." };
        var cinderDriver = new Option<string?>("--cinder-driver") { Description = "tests/interop/cinder_driver.py of a CinderBackup checkout (default: looked for above the current directory).", HelpName = "PATH" };
        var noCinder = new Option<bool>("--no-cinder") { Description = "Do not run Cinder's driver (python3-cinder)." };
        var cinderSparseRuns = new Option<int?>("--cinder-sparse-runs") { Description = "Runs of Cinder on the sparse volume, which it reads in full (default 1).", HelpName = "N" };
        var noBaselines = new Option<bool>("--no-baselines") { Description = "Do not run cp, sha256sum and zstd." };
        var startupRuns = new Option<int?>("--startup-runs") { Description = "Runs of `cinder-backup volume backup list` on an empty catalog, each a new process, for the \"cli start-up\" line (default 20, 5 with --quick; 0 skips it).", HelpName = "N" };
        var format = new Option<string>("--format", "-f") { Description = "table or json (default: table).", DefaultValueFactory = _ => "table", HelpName = "FORMAT" };
        format.AcceptOnlyFromAmong("table", "json");
        var json = new Option<string?>("--json") { Description = "Also write the full report (every run) as JSON to this file.", HelpName = "FILE" };
        var catalog = new Option<bool>("--catalog")
        {
            Description = $"Measure the catalog instead (issue 19): create, show and list with {CatalogBench.Backups:N0} backups in it (--quick: 1,000), " +
                          "on SQLite, and on PostgreSQL when a `database` connection is configured: in a scratch database the bench creates " +
                          "on that server and drops (the role needs CREATEDB); the configured catalog is never written.",
        };
        foreach (var o in new Option[] { catalog, quick, runs, cases, size, randomSize, sparseSize, sparseData, objectSize, largeObjectSize, workers, settings, dir, keep, cinderDriver, noCinder, cinderSparseRuns, noBaselines, startupRuns, format, json })
        {
            cmd.Options.Add(o);
        }
        app.Action(cmd, parse =>
        {
            if (parse.GetValue(catalog))
            {
                var engineOptions = app.EngineOptions(parse);
                var (config, _) = Engine.Api.BackupEngine.LoadSettings(engineOptions);
                var catalogReport = CatalogBenchRunner.Run(config, engineOptions.Environment, parse.GetValue(dir),
                    parse.GetValue(quick) ? 1_000 : CatalogBench.Backups, line => { lock (app.Err) { app.Err.WriteLine(line); } });
                if (parse.GetValue(json) is string catalogJson)
                {
                    File.WriteAllText(catalogJson, JsonSerializer.Serialize(catalogReport, JsonOptions) + "\n");
                }
                if (parse.GetValue(format) == "json")
                {
                    app.Out.WriteLine(JsonSerializer.Serialize(catalogReport, JsonOptions));
                }
                else
                {
                    PrintCatalog(app.Out, catalogReport);
                }
                return 0;
            }
            long Bytes(Option<string?> o, long fallback) => parse.GetValue(o) is string s ? BenchOptions.ParseBytes(s, o.Name) : fallback;
            var basis = parse.GetValue(quick) ? BenchOptions.Quick() : new BenchOptions();
            var options = new BenchOptions
            {
                Directory = parse.GetValue(dir),
                MixedBytes = Bytes(size, basis.MixedBytes),
                RandomBytes = Bytes(randomSize, basis.RandomBytes),
                SparseBytes = Bytes(sparseSize, basis.SparseBytes),
                SparseDataBytes = Bytes(sparseData, basis.SparseDataBytes),
                ObjectSize = Bytes(objectSize, basis.ObjectSize),
                LargeObjectSize = Bytes(largeObjectSize, basis.LargeObjectSize),
                Runs = parse.GetValue(runs) ?? basis.Runs,
                CinderSparseRuns = parse.GetValue(cinderSparseRuns) ?? basis.CinderSparseRuns,
                Workers = parse.GetValue(workers),
                Settings = Arguments.Properties(parse.GetValue(settings)) ?? new Dictionary<string, string>(),
                Cases = parse.GetValue(cases) is { Length: > 0 } c ? c : null,
                Cinder = !parse.GetValue(noCinder),
                CinderDriver = parse.GetValue(cinderDriver),
                Baselines = !parse.GetValue(noBaselines),
                Keep = parse.GetValue(keep),
                StartupRuns = parse.GetValue(startupRuns) ?? basis.StartupRuns,
                StartupLaunch = Launch(),
            };
            var report = BenchRunner.Run(options, line => { lock (app.Err) { app.Err.WriteLine(line); } });
            var text = JsonSerializer.Serialize(report, JsonOptions);
            if (parse.GetValue(json) is string path)
            {
                File.WriteAllText(path, text + "\n");
            }
            if (parse.GetValue(format) == "json")
            {
                app.Out.WriteLine(text);
            }
            else
            {
                Print(app.Out, report);
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>How this CLI was started: its apphost, or dotnet and the dll (`dotnet cinder-backup.dll`).</summary>
    private static IReadOnlyList<string>? Launch()
    {
        var process = Environment.ProcessPath;
        if (process is null)
        {
            return null;
        }
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? new[] { process, typeof(BenchCommand).Assembly.Location }
            : new[] { process };
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static void Print(TextWriter w, BenchReport r)
    {
        w.WriteLine(Invariant($"{r.Machine}, {r.Processors} processors, {r.Runtime}; {r.Options.Runs} run(s), medians; load average {r.LoadAtStart} at the start, {r.LoadAtEnd} at the end; {r.TotalSeconds / 60:F1} min."));
        var rows = r.Results
            .OrderBy(x => x.Case == "baseline" ? 1 : 0)
            .ThenBy(x => x.Case == "baseline" ? 0 : BenchRunner.CaseNames.ToList().IndexOf(x.Case))
            .ThenBy(x => x.Tool == BenchResult.CinderBackupTool ? 0 : x.Tool == BenchResult.CinderTool ? 1 : 2)
            .Select(x => (IReadOnlyList<object?>)new object?[]
            {
                x.Case, x.Tool, $"{x.Volume} {Size(x.VolumeBytes)}", Invariant($"{x.MegabytesPerSecond:F0}"), Invariant($"{x.Seconds:F2}"),
                Invariant($"{x.CpuSeconds:F2}"), x.PeakBytes is long p ? Invariant($"{p / 1048576.0:F0}") : "",
                x.StoredBytes is long s ? Invariant($"{s / 1048576.0:F0}") : "", Invariant($"{x.LoadAverage:F2}"),
                x.VsCinder is double v ? Invariant($"{v:F2}x") : "", x.VsBaseline is double b ? Invariant($"{b:F2}x {x.Baseline}") : "",
            })
            .ToList();
        w.WriteLine(PrettyTable.Render(
            new[] { "Case", "Tool", "Volume", "MB/s", "Wall s", "CPU s", "Peak MiB", "Stored MiB", "Load", "vs Cinder", "vs baseline" }, rows,
            new[] { false, false, false, true, true, true, true, true, true, true, false }));
        if (r.Targets.Count > 0)
        {
            w.WriteLine(PrettyTable.Render(new[] { "Target", "Required", "Measured", "Met" },
                r.Targets.Select(t => (IReadOnlyList<object?>)new object?[] { t.Name, t.Requirement, t.Detail, !t.Applies ? "n/a (small volumes)" : t.Met ? "yes" : "NO" }).ToList(),
                new[] { false, false, false, false }));
        }
        if (r.CliStartup is { } startup)
        {
            w.WriteLine(Invariant($"cli start-up: {startup.MedianSeconds * 1000:F0} ms median of {startup.Runs} runs of `{startup.Command}` on an empty catalog (min {startup.MinSeconds * 1000:F0} ms, max {startup.MaxSeconds * 1000:F0} ms)."));
        }
        foreach (var note in r.Notes)
        {
            w.WriteLine("Note: " + note);
        }
    }

    private static void PrintCatalog(TextWriter w, CatalogBenchRunner.Report r)
    {
        w.WriteLine(PrettyTable.Render(new[] { "Engine", "Operation", "Count", "Seconds", "Per second" },
            r.Rows.Select(x => (IReadOnlyList<object?>)new object?[] { x.Engine, x.Operation, x.Count, Invariant($"{x.Seconds:F3}"), x.PerSecond < 10 ? Invariant($"{x.PerSecond:F2}") : Invariant($"{x.PerSecond:F0}") }).ToList(),
            new[] { false, false, true, true, true }));
        foreach (var list in r.Rows.Where(x => x.Operation.StartsWith("list", StringComparison.Ordinal)))
        {
            w.WriteLine(Invariant($"Target: {list.Engine} lists {list.Operation[5..list.Operation.IndexOf(' ', 5)]} backups in under 1 s: {list.Seconds:F3} s, {(list.Seconds < 1 ? "met" : "NOT met")}."));
        }
        foreach (var note in r.Notes)
        {
            w.WriteLine("Note: " + note);
        }
    }

    private static string Size(long bytes) => bytes >= 1L << 30 && bytes % (1L << 30) == 0
        ? Invariant($"{bytes >> 30} GiB")
        : Invariant($"{bytes / 1048576.0:0.#} MiB");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
