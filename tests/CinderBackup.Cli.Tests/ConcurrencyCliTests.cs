using System.Diagnostics;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// Several processes on one catalog: a second backup of a busy volume is refused, a delete during a restore is
/// refused (and a force delete cancels it), and four processes working at once lose no update and never deadlock.
/// </summary>
public sealed class ConcurrencyCliTests : IDisposable
{
    private const string Fast = "backup_file_size: 4MiB\nquota_backups: 200\nquota_volumes: -1\n"; // processes making many volumes: over Cinder's default of 10
    private readonly TempHome _home = new();

    public ConcurrencyCliTests() => _home.WriteConfig(Fast);

    public void Dispose() => _home.Dispose();

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    private void Slow() => File.WriteAllText(_home.ConfigPath, Fast + "backup_io_bandwidth_limit: 4MiB\n");

    private void VolumeWithData(string name, int mib)
    {
        Ok("volume", "create", "--size", "1", name);
        Disk.WriteRandom(Value("volume", "show", name, "-c", "path"), 0, mib << 20, seed: mib);
    }

    private static void WaitFor(Func<bool> condition, string what) => Poll.Until(condition, what, 60);

    [Fact]
    public void ASecondBackupOfABusyVolumeIsRefused()
    {
        VolumeWithData("v", 40);
        Slow();
        var first = Value("volume", "backup", "create", "--no-wait", "v", "-c", "id");
        Assert.Equal("backing-up", Value("volume", "show", "v", "-c", "status"));
        var second = CliRunner.Run(_home, "volume", "backup", "create", "--name", "second", "v");
        Assert.Equal(1, second.ExitCode);
        Assert.Equal("Invalid volume: Volume to be backed up must be available or in-use, but the current status is \"backing-up\". (HTTP 400)\n", second.Stderr);
        File.WriteAllText(_home.ConfigPath, Fast);
        Ok("volume", "backup", "wait", first);
        Assert.Equal("available", Value("volume", "backup", "show", first, "-c", "status"));
        Assert.Single(Value("volume", "backup", "list", "-c", "ID").Split('\n'));
    }

    [Fact]
    public void DeleteDuringARestoreIsRefusedAndForceDeleteCancelsIt()
    {
        VolumeWithData("v", 40);
        var backup = Value("volume", "backup", "create", "v", "-c", "id");
        Slow();
        var volume = Value("volume", "backup", "restore", "--no-wait", "--name", "target", backup, "-c", "volume_id");
        Assert.Equal("restoring", Value("volume", "backup", "show", backup, "-c", "status"));

        var plain = CliRunner.Run(_home, "volume", "backup", "delete", backup);
        Assert.Equal(1, plain.ExitCode);
        Assert.Contains($"Failed to delete backup with name or ID '{backup}': Invalid backup: Backup status must be available or error (HTTP 400)", plain.Stderr);
        Assert.Equal("restoring", Value("volume", "backup", "show", backup, "-c", "status"));

        Ok("volume", "backup", "delete", "--force", backup);
        WaitFor(() => CliRunner.Run(_home, "volume", "backup", "show", backup).ExitCode != 0, "the backup to be deleted");
        WaitFor(() => Value("volume", "show", volume, "-c", "status") is "error" or "error_restoring", "the restore to stop");
        using var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
        Assert.Empty(engine.Backups.List());
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(_home.Home, "backup"), "*", SearchOption.AllDirectories), f => Path.GetFileName(f) != ".cinderbackup-repository"); // the marker stays
    }

    [Fact]
    public async Task FourProcessesLoseNoUpdateAndNeverDeadlock()
    {
        VolumeWithData("shared", 4);
        var target = Value("volume", "backup", "create", "--name", "target", "shared", "-c", "id");
        var sw = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var results = new List<CliRunner.Result>();
            for (var i = 0; i < 3; i++)
            {
                var vol = $"w{w}-{i}";
                results.Add(CliRunner.Run(_home, "volume", "create", "--size", "1", vol));
                results.Add(CliRunner.Run(_home, "volume", "backup", "create", "--name", vol + "-b", vol));
                results.Add(CliRunner.Run(_home, "volume", "backup", "set", "--property", $"w{w}i{i}=done", target));
                results.Add(CliRunner.Run(_home, "volume", "backup", "list"));
                if (i < 2)
                {
                    results.Add(CliRunner.Run(_home, "volume", "backup", "delete", vol + "-b"));
                }
            }
            return results;
        })).ToList();
        var all = (await Task.WhenAll(workers)).SelectMany(r => r).ToList();
        Assert.All(all, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.True(sw.Elapsed < TimeSpan.FromMinutes(4), $"took {sw.Elapsed}");

        using var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
        // Every process's property arrived: no read-modify-write lost another's.
        var properties = engine.Backups.Get(target).Metadata;
        Assert.Equal(12, properties.Count);
        Assert.All(Enumerable.Range(0, 4).SelectMany(w => Enumerable.Range(0, 3).Select(i => $"w{w}i{i}")), k => Assert.Equal("done", properties[k]));
        Assert.Equal(13, engine.Volumes.List().Count);
        var backups = engine.Backups.List();
        Assert.Equal(5, backups.Count); // target and each worker's last
        Assert.All(backups, b => Assert.Equal("available", b.Status));
        var usage = engine.Quotas.Usage().ToDictionary(u => u.Type);
        Assert.Equal((5L, 0L), (usage["backups"].InUse, usage["backups"].Reserved));
        Assert.Equal((5L, 0L), (usage["backup_gigabytes"].InUse, usage["backup_gigabytes"].Reserved));
    }
}
