using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// Issue 20, item 5: a summary after every backup and restore, as restic prints one, on stderr (stdout keeps the seeds'
/// table) and in `volume backup show`; none when the work runs elsewhere (--no-wait), whose record still gets it.
/// </summary>
public sealed partial class SummaryCliTests : IDisposable
{
    private const long GiB = 1L << 30;
    private readonly TempHome _home = new();

    public SummaryCliTests() => _home.WriteConfig("backup_file_size: 8MiB\n");

    public void Dispose() => _home.Dispose();

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    [GeneratedRegex(@"^Backup (?<id>[0-9a-f-]{36}): (?<read>\d+) bytes \([^)]*\) read, (?<changed>\d+) bytes \([^)]*\) changed, (?<stored>\d+) bytes \([^)]*\) stored \(after compression\), (?<objects>\d+) objects written, in (?<seconds>\d+\.\d{3}) s \((?<rate>\d+\.\d) MiB/s\)\.$", RegexOptions.Multiline)]
    private static partial Regex BackupLine();

    [GeneratedRegex(@"^Restore of (?<id>[0-9a-f-]{36}) to volume (?<volume>[0-9a-f-]{36}): (?<restored>\d+) bytes \([^)]*\) restored, (?<written>\d+) bytes \([^)]*\) written, (?<read>\d+) objects read, (?<skipped>\d+) skipped, in (?<seconds>\d+\.\d{3}) s \((?<rate>\d+\.\d) MiB/s\)\.$", RegexOptions.Multiline)]
    private static partial Regex RestoreLine();

    private static long N(Match m, string group) => long.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    private static Match Summary(Regex line, CliRunner.Result r)
    {
        var m = line.Match(r.Stderr);
        Assert.True(m.Success, $"no summary on stderr: {r.Stderr}");
        Assert.DoesNotContain("bytes", r.Stdout); // stdout keeps the seeds' table
        return m;
    }

    [Fact]
    public void BackupAndRestorePrintWhatTheyReadChangedAndStored()
    {
        Ok("volume", "create", "--size", "1", "v");
        var path = Value("volume", "show", "v", "-c", "path");
        Disk.WriteRandom(path, 0, 3 << 20, seed: 1);

        var full = Ok("volume", "backup", "create", "--name", "full", "v");
        var f = Summary(BackupLine(), full);
        var id = Value("volume", "backup", "show", "full", "-c", "id");
        Assert.Equal(id, f.Groups["id"].Value);
        Assert.Equal(GiB, N(f, "read"));      // the whole volume is read
        Assert.Equal(GiB, N(f, "changed"));   // a full backup stores every block
        Assert.InRange(N(f, "stored"), 3L << 20, 8L << 20); // 3 MiB of random data; the zeros compress to almost nothing
        Assert.InRange(N(f, "objects"), 128, 129); // 1 GiB in objects of up to 8 MiB

        var show = JsonDocument.Parse(Ok("volume", "backup", "show", "full", "-f", "json").Stdout).RootElement;
        Assert.Equal(GiB, show.GetProperty("bytes_read").GetInt64());
        Assert.Equal(GiB, show.GetProperty("bytes_changed").GetInt64());
        Assert.Equal(N(f, "stored"), show.GetProperty("bytes_stored").GetInt64());
        Assert.Equal(N(f, "objects"), show.GetProperty("object_count").GetInt32());
        var seconds = show.GetProperty("duration").GetDouble();
        Assert.Equal(double.Parse(f.Groups["seconds"].Value, CultureInfo.InvariantCulture), seconds, 3);
        Assert.InRange(show.GetProperty("rate").GetDouble() / (GiB / seconds), 0.99, 1.01); // bytes read per second

        Disk.WriteRandom(path, 100 << 20, 4096, seed: 2); // one 4 KiB change: one 32 KiB SHA block of Cinder's
        var incremental = Ok("volume", "backup", "create", "--incremental", "--name", "incr", "v");
        var i = Summary(BackupLine(), incremental);
        Assert.Equal(GiB, N(i, "read"));
        Assert.Equal(32768, N(i, "changed"));
        Assert.InRange(N(i, "stored"), 4096, 32768 + 1024);
        Assert.Equal(1, N(i, "objects"));
        Assert.Equal(32768, JsonDocument.Parse(Ok("volume", "backup", "show", "incr", "-f", "json").Stdout).RootElement.GetProperty("bytes_changed").GetInt64());

        var restore = Ok("volume", "backup", "restore", "incr");
        var r = Summary(RestoreLine(), restore);
        Assert.Equal(Value("volume", "backup", "show", "incr", "-c", "id"), r.Groups["id"].Value);
        Assert.Contains($"| volume_id   | {r.Groups["volume"].Value} |", restore.Stdout);
        Assert.Equal(GiB, N(r, "restored"));
        Assert.InRange(N(r, "written"), (3L << 20) + 4096, GiB); // a new volume: zeros are not written
        Assert.Equal(Disk.Sha256(path), Disk.Sha256(Value("volume", "show", r.Groups["volume"].Value, "-c", "path")));
    }

    [Fact]
    public void NoWaitPrintsNoSummaryButTheRecordGetsIt()
    {
        Ok("volume", "create", "--size", "1", "v");
        Disk.WriteRandom(Value("volume", "show", "v", "-c", "path"), 0, 1 << 20, seed: 3);
        var started = Ok("volume", "backup", "create", "--no-wait", "--name", "b", "v");
        Assert.DoesNotMatch(BackupLine(), started.Stderr);
        Ok("volume", "backup", "wait", "b");
        var show = JsonDocument.Parse(Ok("volume", "backup", "show", "b", "-f", "json").Stdout).RootElement;
        Assert.Equal(GiB, show.GetProperty("bytes_read").GetInt64());
        Assert.Equal(GiB, show.GetProperty("bytes_changed").GetInt64());
        Assert.True(show.GetProperty("duration").GetDouble() > 0);

        var restore = Ok("volume", "backup", "restore", "--no-wait", "b");
        Assert.DoesNotMatch(RestoreLine(), restore.Stderr);
        Ok("volume", "backup", "wait", "b");
    }
}
