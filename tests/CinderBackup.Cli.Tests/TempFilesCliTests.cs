using System.Diagnostics;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// The data directory's tmp/ (issue 16): the SHA-256 lists operations keep there (32 bytes per block) are nameless
/// while in use, so a process killed with -9 leaves none behind; lists left by older versions are removed when the
/// next process starts; a running operation's list is never touched.
/// </summary>
public sealed class TempFilesCliTests : IDisposable
{
    private const int Killed = 137;
    private readonly TempHome _home = new();

    public TempFilesCliTests() => _home.WriteConfig("backup_file_size: 1MiB\nbackup_workers: 2\n");

    public void Dispose() => _home.Dispose();

    private string Tmp => Path.Combine(_home.Home, "tmp");

    private string[] HashLists() => Directory.Exists(Tmp) ? Directory.GetFiles(Tmp, "hashes-*.bin") : Array.Empty<string>();

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    private void Crash(string point, params string[] args)
    {
        _home.Set("CINDERBACKUP_FAULT", point);
        var r = CliRunner.Run(_home, args);
        _home.Set("CINDERBACKUP_FAULT", null);
        Assert.True(r.ExitCode == Killed, $"{point}: expected the process to be killed there\n{r}");
    }

    private string Volume(string name, int mib)
    {
        Ok("volume", "create", "--size", "1", name);
        var path = Value("volume", "show", name, "-c", "path");
        Disk.WriteRandom(path, 0, mib << 20, mib);
        return path;
    }

    [Fact]
    public void OperationsKilledWithMinus9LeaveNoHashList()
    {
        var path = Volume("v", 8);
        var full = Value("volume", "backup", "create", "v", "--name", "full", "-c", "id");
        Disk.WriteRandom(path, 2 << 20, 1 << 20, 9);
        var points = new (string Point, string[] Args)[]
        {
            ("backup.object.committed#3", new[] { "volume", "backup", "create", "v", "--name", "killed-full" }),
            ("backup.object.committed#1", new[] { "volume", "backup", "create", "v", "--incremental", "--name", "killed-incremental" }), // its parent's list too
            ("restore.object.written#3", new[] { "volume", "backup", "restore", full, "--name", "killed-restore" }),
        };
        foreach (var (point, args) in points)
        {
            Crash(point, args);
            Assert.True(HashLists().Length == 0, $"{point}: left {string.Join(", ", HashLists())}");
        }
        Assert.True(CliRunner.Run(_home, "volume", "backup", "verify", "--deep", full).ExitCode == 0);
    }

    [Fact]
    public void HashListsLeftByKilledProcessesAreRemovedAtStartUp()
    {
        Ok("volume", "list");
        Directory.CreateDirectory(Tmp);
        var stale = Enumerable.Range(0, 3).Select(i => Path.Combine(Tmp, $"hashes-{Guid.NewGuid():N}.bin")).ToList();
        stale.ForEach(f => File.WriteAllBytes(f, new byte[32 * 1024]));
        var other = Path.Combine(Tmp, "notes.txt");
        File.WriteAllText(other, "not ours to remove");
        Ok("volume", "list");
        Assert.Empty(HashLists());
        Assert.True(File.Exists(other));
    }

    [Fact]
    public async Task ARunningOperationsHashListIsNeverTouched()
    {
        Volume("v", 24);
        _home.WriteConfig("backup_file_size: 1MiB\nbackup_workers: 2\nbackup_io_bandwidth_limit: 8MiB\n"); // about 3 s
        var psi = CliRunner.Start(_home, new[] { "volume", "backup", "create", "v", "--name", "slow", "-f", "value", "-c", "id" });
        using var slow = Process.Start(psi)!;
        var output = slow.StandardOutput.ReadToEndAsync();
        _ = slow.StandardError.ReadToEndAsync();
        var starts = 0;
        while (!slow.HasExited)
        {
            Ok("volume", "list"); // every start-up sweeps tmp/
            Assert.Empty(HashLists()); // the running backup's list has no name there
            starts++;
        }
        slow.WaitForExit();
        Assert.True(slow.ExitCode == 0, $"exit {slow.ExitCode}");
        Assert.True(starts >= 1);
        var id = (await output).Trim().Split('\n')[0];
        Assert.Equal("available", Value("volume", "backup", "show", id, "-c", "status"));
        Assert.True(CliRunner.Run(_home, "volume", "backup", "verify", "--deep", id).ExitCode == 0);
    }
}
