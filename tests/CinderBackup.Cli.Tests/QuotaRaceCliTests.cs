using System.Diagnostics;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// A quota race across hosts (issue 19, item 3): separate cinder-backup processes, each with a host name of its own, on
/// one catalog, create more volumes and then more backups than the project's quota allows, all at once. Each process
/// pauses 2 s inside its transaction right after its reservation (fault point quota.reserved), so they all meet there:
/// the count ends exactly at the quota only because a reservation locks its project's quota_usages rows (and, on SQLite,
/// because writers queue). The losers get Cinder's 413 texts, and nothing stays reserved.
/// </summary>
public sealed class QuotaRaceCliTests : IDisposable
{
    private const int VolumeQuota = 4;
    private const int BackupQuota = 2;
    private readonly TempHome _home = new();
    private readonly CliProcesses _processes = new();
    private string? _database;

    public void Dispose()
    {
        _processes.Dispose();
        _home.Dispose();
        if (_database is not null)
        {
            PostgresServer.Shared.DropDatabase(_database);
        }
    }

    private void UseCatalog(string catalog)
    {
        if (catalog == "postgresql" && _home.Database is null)
        {
            var server = PostgresServer.Shared;
            _database = server.CreateDatabase();
            _home.Set("CINDERBACKUP_DATABASE", server.Url(_database)).Set("PGPASSWORD", server.Password);
        }
        _home.WriteConfig($"""
            quota_volumes: {VolumeQuota}
            quota_gigabytes: -1
            quota_backups: {BackupQuota}
            quota_backup_gigabytes: -1
            catalog_busy_timeout: 300
            backup_posix_path: {_home.File_("repo")}
            backup_file_size: 1MiB
            """);
    }

    /// <summary>Starts <paramref name="args"/> in <paramref name="count"/> processes at once, each on host race-N, all pausing after their reservation.</summary>
    private List<CliRunner.Result> Race(int count, Func<int, string[]> args)
    {
        var config = File.ReadAllText(_home.ConfigPath);
        var started = Enumerable.Range(0, count).Select(i =>
        {
            var hostConfig = _home.File_($"host-{i}.yaml");
            File.WriteAllText(hostConfig, config.TrimEnd('\n') + $"\nhost: race-{i}\n");
            var psi = CliRunner.Start(_home, args(i));
            psi.Environment["CINDERBACKUP_CONFIG"] = hostConfig;
            psi.Environment["CINDERBACKUP_FAULT"] = "quota.reserved:pause";
            return _processes.Start(psi);
        }).ToList();
        return started.Select(CliProcesses.End).ToList();
    }

    private BackupEngine Engine() => BackupEngine.Open(new EngineOptions { Environment = _home.Env });

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public void ProcessesOfSeveralHostsRacingPastTheQuotaEndExactlyAtIt(string catalog)
    {
        UseCatalog(catalog);
        var sw = Stopwatch.StartNew();
        var volumes = Race(VolumeQuota + 3, i => new[] { "volume", "create", "--size", "1", $"v{i}" });
        Assert.True(volumes.Count(r => r.ExitCode == 0) == VolumeQuota, string.Join("\n", volumes));
        Assert.All(volumes.Where(r => r.ExitCode != 0), r => Assert.Equal(
            $"VolumeLimitExceeded: Maximum number of volumes allowed ({VolumeQuota}) exceeded for quota 'volumes'. (HTTP 413)\n", r.Stderr));

        string[] made;
        using (var engine = Engine())
        {
            made = engine.Volumes.List().Select(v => v.Name!).ToArray();
            foreach (var v in engine.Volumes.List())
            {
                Disk.WriteRandom(v.Path, 0, 1 << 20, v.Name!.GetHashCode(StringComparison.Ordinal));
            }
        }
        Assert.Equal(VolumeQuota, made.Length);
        // One backup per volume (a volume backs up one at a time), more than the backup quota.
        var backups = Race(made.Length, i => new[] { "volume", "backup", "create", "--name", "b-" + made[i], made[i] });
        Assert.True(backups.Count(r => r.ExitCode == 0) == BackupQuota, string.Join("\n", backups));
        Assert.All(backups.Where(r => r.ExitCode != 0), r => Assert.Equal(
            $"BackupLimitExceeded: Maximum number of backups allowed ({BackupQuota}) exceeded (HTTP 413)\n", r.Stderr));

        using (var engine = Engine())
        {
            Assert.All(engine.Backups.List(), b => Assert.Equal("available", b.Status));
            Assert.Equal(BackupQuota, engine.Backups.List().Count);
            Assert.All(engine.Volumes.List(), v => Assert.Equal("available", v.Status));
            var usage = engine.Quotas.Usage().ToDictionary(u => u.Type);
            Assert.Equal(((long)VolumeQuota, 0L), (usage["volumes"].InUse, usage["volumes"].Reserved));
            Assert.Equal(((long)BackupQuota, 0L), (usage["backups"].InUse, usage["backups"].Reserved));
            Assert.Equal(((long)BackupQuota, 0L), (usage["backup_gigabytes"].InUse, usage["backup_gigabytes"].Reserved));
        }
        // Every reservation waited for the one before it: the racers' 2 s pauses were not spent side by side.
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(2 * (VolumeQuota + BackupQuota)), $"took {sw.Elapsed}");
    }
}
