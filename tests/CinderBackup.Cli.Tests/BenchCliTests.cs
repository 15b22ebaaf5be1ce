using System.Text.Json;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// The benchmark command works end to end on tiny volumes (its measurements are not checked here: the benchmark
/// is run by hand, never timed in the test suite), and refuses bad options before writing anything.
/// </summary>
public sealed class BenchCliTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void ASmallRunReportsEveryCaseItWasAskedForAsJson()
    {
        var dir = _home.File_("bench");
        var json = _home.File_("bench.json");
        var r = CliRunner.Ok(_home, "bench", "--quick", "--no-cinder", "--no-baselines", "--dir", dir, "--json", json,
            "--size", "8MiB", "--sparse-size", "256MiB", "--sparse-data", "4MiB", "--object-size", "4MiB", "--large-object-size", "8MiB",
            "--case", "full-zstd", "--case", "incr-1pct", "--case", "restore-chain", "--case", "full-sparse-none", "-f", "json");
        using var doc = JsonDocument.Parse(r.Stdout);
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        foreach (var name in new[] { "full-zstd", "incr-1pct", "restore-chain", "full-sparse-none" })
        {
            var row = Assert.Single(results, x => x.GetProperty("case").GetString() == name);
            Assert.Equal("cinderbackup", row.GetProperty("tool").GetString());
            Assert.True(row.GetProperty("megabytes_per_second").GetDouble() > 0, name);
            Assert.True(row.GetProperty("cpu_seconds").GetDouble() > 0, name);
            Assert.True(row.GetProperty("peak_bytes").GetInt64() > 0, name);
        }
        Assert.DoesNotContain(results, x => x.GetProperty("case").GetString() == "full-bz2");
        Assert.True(results.Single(x => x.GetProperty("case").GetString() == "full-zstd").GetProperty("stored_bytes").GetInt64() > 0);
        var targets = doc.RootElement.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Contains("peak memory, every case", targets);
        Assert.Contains("full backup, zstd, mixed volume: speed", targets);
        // Small volumes: the speed targets do not apply (n/a, not NO); peak memory does.
        var applies = doc.RootElement.GetProperty("targets").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("applies").GetBoolean());
        Assert.False(applies["full backup, zstd, mixed volume: speed"]);
        Assert.True(applies["peak memory, every case"]);
        // --json writes the same report; the scratch directory is removed afterwards.
        using var written = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(results.Count, written.RootElement.GetProperty("results").GetArrayLength());
        Assert.False(Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any(), "the scratch files are kept");
    }

    [Fact]
    public void TheCliStartUpLineIsTheMedianOfNewProcessesOfTheListCommand()
    {
        var dir = _home.File_("bench-startup");
        var json = _home.File_("startup.json");
        var r = CliRunner.Ok(_home, "bench", "--quick", "--no-cinder", "--no-baselines", "--dir", dir, "--json", json,
            "--size", "4MiB", "--object-size", "4MiB", "--case", "full-none", "--startup-runs", "3");
        Assert.Matches(@"\ncli start-up: \d+ ms median of 3 runs of `cinder-backup volume backup list` on an empty catalog \(min \d+ ms, max \d+ ms\)\.\n", r.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var startup = doc.RootElement.GetProperty("cli_startup");
        Assert.Equal("cinder-backup volume backup list", startup.GetProperty("command").GetString());
        Assert.Equal(3, startup.GetProperty("runs").GetInt32());
        var (min, median, max) = (startup.GetProperty("min_seconds").GetDouble(), startup.GetProperty("median_seconds").GetDouble(), startup.GetProperty("max_seconds").GetDouble());
        // A new process each run: at least the runtime's own start (tens of milliseconds), never an in-process call.
        Assert.True(min > 0.02 && min <= median && median <= max, $"{min} {median} {max}");
        // The user's catalog is not where it ran: the test's data directory holds no catalog.
        Assert.False(File.Exists(_home.CatalogPath), "the start-up runs used the caller's catalog");

        // --startup-runs 0 skips it.
        var skipped = CliRunner.Ok(_home, "bench", "--quick", "--no-cinder", "--no-baselines", "--dir", dir + "2", "--json", json,
            "--size", "4MiB", "--object-size", "4MiB", "--case", "full-none", "--startup-runs", "0");
        Assert.DoesNotContain("cli start-up", skipped.Stdout);
        using var none = JsonDocument.Parse(File.ReadAllText(json));
        Assert.False(none.RootElement.TryGetProperty("cli_startup", out _));
    }

    /// <summary>The catalog bench's rows by engine and operation (the operation's first word).</summary>
    private static Dictionary<(string, string), JsonElement> CatalogRows(JsonElement report) =>
        report.GetProperty("rows").EnumerateArray().ToDictionary(
            r => (r.GetProperty("engine").GetString()!, r.GetProperty("operation").GetString()!.Split(' ')[0]), r => r);

    [Fact]
    [Trait("Catalog", "PostgreSQL")]
    public void TheCatalogBenchMeasuresSqliteAndPostgresInAScratchDatabaseAndLeavesTheCatalogAlone()
    {
        var server = PostgresServer.Shared;
        var configured = server.CreateDatabase(); // the configured catalog: the bench must not write it
        _home.Set("CINDERBACKUP_DATABASE", server.Url(configured)).Set("PGPASSWORD", server.Password);
        try
        {
            var r = CliRunner.Ok(_home, "bench", "--catalog", "--quick", "-f", "json");
            using var doc = JsonDocument.Parse(r.Stdout);
            Assert.Equal(1000, doc.RootElement.GetProperty("backups").GetInt32());
            var rows = CatalogRows(doc.RootElement);
            foreach (var engine in new[] { "SQLite", "PostgreSQL" })
            {
                foreach (var op in new[] { "fill", "create", "show", "list" })
                {
                    Assert.True(rows.TryGetValue((engine, op), out var row), $"{engine} {op} missing:\n{r.Stdout}");
                    Assert.True(row.GetProperty("seconds").GetDouble() > 0 && row.GetProperty("per_second").GetDouble() > 0, $"{engine} {op}");
                }
                Assert.Contains("list 1050 ", rows[(engine, "list")].GetProperty("operation").GetString());
            }
            Assert.Empty(doc.RootElement.GetProperty("notes").EnumerateArray());
            // The configured database got no table; the scratch database is gone.
            Assert.Equal("0", server.Sql(configured, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Trim());
            Assert.Equal("0", server.Sql("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'cinderbackup_bench_%'").Trim());

            // A role that may not create a database: SQLite is measured, PostgreSQL is not, and the report says why.
            var role = "bench_" + Guid.NewGuid().ToString("N")[..8];
            server.Sql("postgres", $"CREATE ROLE {role} LOGIN PASSWORD 'pw-{role}'; GRANT ALL ON DATABASE {configured} TO {role}");
            _home.Set("CINDERBACKUP_DATABASE", server.Url(configured, role)).Set("PGPASSWORD", "pw-" + role);
            var table = CliRunner.Ok(_home, "bench", "--catalog", "--quick");
            Assert.Contains("Target: SQLite lists 1050 backups in under 1 s:", table.Stdout);
            Assert.Contains("Note: PostgreSQL not measured: the bench could not create a scratch database on postgresql://" + role, table.Stdout);
            Assert.DoesNotContain("PostgreSQL  ", table.Stdout);
        }
        finally
        {
            server.DropDatabase(configured);
        }

        // No database configured: SQLite only, and the note says so.
        _home.Set("CINDERBACKUP_DATABASE", null);
        var sqlite = CliRunner.Ok(_home, "bench", "--catalog", "--quick", "-f", "json");
        using var only = JsonDocument.Parse(sqlite.Stdout);
        Assert.All(CatalogRows(only.RootElement).Keys, k => Assert.Equal("SQLite", k.Item1));
        Assert.Contains("no `database` connection is configured", only.RootElement.GetProperty("notes")[0].GetString());
    }

    [Theory]
    [InlineData("--startup-runs must be 0 or more, not -1", "--startup-runs", "-1")]
    [InlineData("Unknown benchmark case 'nosuch'", "--case", "nosuch")]
    [InlineData("--runs must be at least 1, not 0", "--runs", "0")]
    [InlineData("--workers must be at least 1, not 0", "--workers", "0")]
    [InlineData("--size: 'abc' is not a byte count", "--size", "abc")]
    [InlineData("--object-size must be at least 1 MiB and a multiple of 32768 bytes", "--object-size", "1000000")]
    [InlineData("--sparse-data (2147483648 bytes) cannot be more than --sparse-size (1073741824 bytes)", "--sparse-size", "1GiB", "--sparse-data", "2GiB")]
    public void BadOptionsAreRefusedByName(string message, params string[] args)
    {
        var dir = _home.File_("bench-bad");
        var r = CliRunner.Run(_home, new[] { "bench", "--quick", "--no-cinder", "--no-baselines", "--dir", dir }.Concat(args).ToArray());
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains(message, r.Stderr);
        Assert.DoesNotContain("Unexpected error", r.Stderr);
        Assert.Equal("", r.Stdout);
        Assert.False(Directory.Exists(dir), "nothing is written");
    }

    /// <summary>Every file under <paramref name="dir"/> with its bytes, and every directory.</summary>
    private static string Listing(string dir) => string.Join("\n", Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal)
        .Select(p => File.Exists(p) ? $"{p} {Convert.ToHexString(File.ReadAllBytes(p))}" : p + "/"));

    [Fact]
    public void ADirectoryThatHoldsAnythingIsRefusedAndLeftAlone()
    {
        // What an earlier version deleted afterwards: repo/, home/ and *.img that were already there.
        var dir = _home.File_("mine");
        Directory.CreateDirectory(Path.Combine(dir, "repo", "volume_x"));
        Directory.CreateDirectory(Path.Combine(dir, "home"));
        File.WriteAllText(Path.Combine(dir, "repo", "volume_x", "object"), "backup data");
        File.WriteAllText(Path.Combine(dir, "home", "catalog.db"), "a catalog");
        File.WriteAllText(Path.Combine(dir, "mixed.img"), "my image");
        var before = Listing(dir);
        var r = CliRunner.Run(_home, "bench", "--quick", "--no-cinder", "--no-baselines", "--dir", dir, "--case", "full-none");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains($"--dir '{dir}' is not empty.", r.Stderr);
        Assert.Equal("", r.Stdout);
        Assert.Equal(before, Listing(dir));

        var file = _home.File_("a-file");
        File.WriteAllText(file, "text");
        r = CliRunner.Run(_home, "bench", "--quick", "--no-cinder", "--no-baselines", "--dir", file);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains($"--dir '{file}' is a file, not a directory.", r.Stderr);
        Assert.Equal("text", File.ReadAllText(file));
    }

    [Fact]
    public void AnEmptyDirectoryGivenStaysAndOnlyWhatTheRunMadeGoes()
    {
        var dir = _home.File_("empty");
        Directory.CreateDirectory(dir);
        CliRunner.Ok(_home, "bench", "--quick", "--no-cinder", "--no-baselines", "--dir", dir,
            "--size", "8MiB", "--object-size", "4MiB", "--large-object-size", "8MiB", "--case", "full-none", "-f", "json");
        Assert.True(Directory.Exists(dir), "the directory the user made is removed");
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
    }
}
