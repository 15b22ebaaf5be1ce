using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using CinderBackup.Engine.Api;
using Xunit.Abstractions;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// Backup services that share the work, as separate processes (issue 19, items 2 and 4): three `service run` processes
/// with different host names over one catalog (<see cref="ServiceCluster"/>: SQLite in the shared data directory by
/// default, or the catalog CINDERBACKUP_TEST_CATALOG_CONFIG names) and two repositories, a POSIX directory and an S3
/// bucket on moto. --no-wait operations are queued and spread over the hosts, each done once; kill -9 of a host mid-backup
/// is noticed by a peer, which resets its work exactly once, and nothing else is lost or done twice.
/// </summary>
public sealed class MultiHostCliTests : IDisposable
{
    private static readonly string[] HostNames = { "host-a", "host-b", "host-c" };
    private readonly TempHome _home = new();
    private readonly MotoServer _moto = new();
    private readonly ServiceCluster _cluster;
    private readonly ITestOutputHelper _output;

    public MultiHostCliTests(ITestOutputHelper output)
    {
        _output = output;
        _cluster = new ServiceCluster(_home);
        _home.Set("AWS_ACCESS_KEY_ID", MotoServer.AccessKey).Set("AWS_SECRET_ACCESS_KEY", MotoServer.SecretKey);
    }

    public void Dispose()
    {
        _cluster.Dispose();
        _moto.Dispose();
        _home.Dispose();
    }

    /// <summary>
    /// The cluster's config. <paramref name="serviceDownTime"/>: 4 s where a test waits for a dead host to be noticed; a test
    /// that kills nobody gives more, as the loaded CI machine can hold a live host's heartbeat back past 4 s.
    /// </summary>
    private void Configure(string extra = "", int serviceDownTime = 4) => _cluster.WriteConfig($"""
        quota_backups: 200
        quota_volumes: -1
        quota_backup_gigabytes: -1
        report_interval: 1
        service_down_time: {serviceDownTime}
        shared_volume_paths: {Path.Combine(_home.Home, "volumes")}
        {extra}
        repositories:
          posix:
            backup_posix_path: {_home.File_("posix-repo")}
            backup_file_size: 1MiB
            default: true
          s3:
            backup_driver: s3
            backup_s3_endpoint_url: {_moto.Endpoint}
            backup_s3_store_bucket: multihost-{Guid.NewGuid():N}
            backup_s3_object_size: 1MiB
        """);

    private BackupEngine Engine() => BackupEngine.Open(new EngineOptions { Environment = _home.Env });

    /// <summary>Volumes in the shared pool, each with its own data; returns name → SHA-256.</summary>
    private Dictionary<string, string> Volumes(int count, int mib)
    {
        using var engine = Engine();
        var shas = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var v = engine.Volumes.Create($"vol{i:00}", 1);
            Disk.WriteRandom(v.Path, (i % 3) << 20, mib << 20, 100 + i);
            shas[v.Name!] = Disk.Sha256(v.Path);
        }
        return shas;
    }

    private string Submit(params string[] args) => CliRunner.Value(_home, args.Concat(new[] { "-c", "id", "--no-wait" }).ToArray());

    private IReadOnlyList<VolumeBackup> Backups()
    {
        using var engine = Engine();
        return engine.Backups.List();
    }

    /// <summary>The ids each host's log says it took from the queue, with the operation.</summary>
    private List<(string Host, string Id, string Operation)> Taken() => HostNames.Where(h => _cluster.Hosts.Contains(h))
        .SelectMany(h => Regex.Matches(_cluster.Log(h), @"Backup ([0-9a-f-]{36}): (create|restore) taken from the queue")
            .Select(m => (h, m.Groups[1].Value, m.Groups[2].Value)))
        .ToList();

    /// <summary>For a failure message: each backup's status, host and reason, and what every host's log says of it.</summary>
    private string Explain(IEnumerable<VolumeBackup> backups) => string.Join("\n", backups.Select(b =>
        $"{b.Id} {b.Name}: {b.Status} on {b.Host}: {b.FailReason}\n" + string.Join("\n", _cluster.Hosts.SelectMany(h =>
            _cluster.Log(h).Split('\n').Where(l => l.Contains(b.Id, StringComparison.Ordinal)).Select(l => $"  [{h}] {l}")))));

    [Fact]
    public void ThreeHostsShareThirtyBackupsAndThirtyRestoresAndEveryRestoreIsIdentical()
    {
        Configure(serviceDownTime: 60); // Cinder's default: nobody is killed here

        foreach (var h in HostNames)
        {
            _cluster.Start(h);
        }
        var list = CliRunner.Ok(_home, "volume", "service", "list", "-f", "json").Stdout;
        var services = JsonDocument.Parse(list).RootElement.EnumerateArray().ToList();
        Assert.Equal(HostNames, services.Select(s => s.GetProperty("Host").GetString()).Order().ToArray());
        Assert.All(services, s => Assert.Equal(("nova", "enabled", "up"), (s.GetProperty("Zone").GetString(), s.GetProperty("Status").GetString(), s.GetProperty("State").GetString())));

        var shas = Volumes(30, 3);
        var backups = new Dictionary<string, string>(StringComparer.Ordinal); // backup id -> volume
        foreach (var (name, i) in shas.Keys.Select((n, i) => (n, i)))
        {
            backups[Submit("volume", "backup", "create", "--name", "b-" + name, "--repository", i % 2 == 0 ? "posix" : "s3", name)] = name;
        }
        Poll.Until(() => Backups().All(b => b.Status is "available" or "error"), "the 30 backups", seconds: 600);
        var rows = Backups();
        Assert.True(rows.All(b => b.Status == "available"), "backups not available:\n" + Explain(rows.Where(b => b.Status != "available")));
        Assert.Equal(30, rows.Count);

        var restores = new Dictionary<string, string>(StringComparer.Ordinal); // new volume name -> source volume
        foreach (var (id, name) in backups)
        {
            var target = "r-" + name;
            CliRunner.Ok(_home, "volume", "backup", "restore", id, "--name", target, "--no-wait");
            restores[target] = name;
        }
        using (var engine = Engine())
        {
            Poll.Until(() => restores.Keys.All(r => engine.Volumes.Get(r).Status is "available" or "error_restoring" or "error"), "the 30 restores", seconds: 600);
            foreach (var (target, source) in restores)
            {
                var v = engine.Volumes.Get(target);
                Assert.True(v.Status == "available", $"restore {target} of {source} is {v.Status}:\n" + Explain(engine.Backups.List().Where(b => b.Name == "b-" + source)));
                Assert.True(shas[source] == Disk.Sha256(v.Path), $"restore {target} of {source} differs");
            }
            Assert.All(engine.Backups.List(), b => Assert.Equal("available", b.Status));
        }

        // Each operation was taken by exactly one host, and the work was spread over all three.
        var taken = Taken();
        Assert.Equal(60, taken.Count);
        Assert.Equal(30, taken.Count(t => t.Operation == "create"));
        Assert.All(taken.GroupBy(t => (t.Id, t.Operation)), g => Assert.Single(g));
        Assert.Equal(backups.Keys.Order(), taken.Where(t => t.Operation == "create").Select(t => t.Id).Order());
        var perHost = taken.GroupBy(t => t.Host).ToDictionary(g => g.Key, g => g.Count());
        _output.WriteLine("operations per host: " + string.Join(", ", perHost.Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.True(perHost.Count == 3, "not every host took work: " + string.Join(", ", perHost.Keys));
        // The backup's host is the service that made it, as in Cinder.
        Assert.All(rows, b => Assert.Equal(taken.Single(t => t.Id == b.Id && t.Operation == "create").Host, b.Host));

        // SIGTERM stops a service cleanly: it says so, and is down at once.
        Assert.Equal(0, _cluster.Stop("host-c"));
        var after = JsonDocument.Parse(CliRunner.Ok(_home, "volume", "service", "list", "-f", "json").Stdout).RootElement.EnumerateArray()
            .ToDictionary(s => s.GetProperty("Host").GetString()!, s => s.GetProperty("State").GetString());
        Assert.Equal(("up", "up", "down"), (after["host-a"], after["host-b"], after["host-c"]));
    }

    [Fact]
    public void KillNineOfAHostMidBackupIsResetByAPeerAndNothingElseIsLostOrDoneTwice()
    {
        // Slow operations (4 MiB/s), so that a backup is surely in flight when its host is killed.
        Configure("backup_io_bandwidth_limit: 4MiB");
        foreach (var h in HostNames)
        {
            _cluster.Start(h);
        }
        var shas = Volumes(9, 12);
        var ids = shas.Keys.Select((name, i) => Submit("volume", "backup", "create", "--repository", i % 2 == 0 ? "posix" : "s3", name)).ToList();

        // Wait for host-a to be in the middle of a backup: it owns one that has moved data.
        string? victim = null;
        using (var engine = Engine())
        {
            Poll.Until(() =>
            {
                victim = engine.Backups.List().FirstOrDefault(b => b.Status == "creating" && b.Host == "host-a" && b.ProgressBytes > 0)?.Id;
                return victim is not null;
            }, "host-a to be mid-backup", seconds: 300);
        }
        var killedAt = ServiceCluster.Stamp();
        _cluster.Kill("host-a");
        var killed = Stopwatch.StartNew();
        using (var engine = Engine())
        {
            Poll.Until(() => engine.Backups.Get(victim!).Status != "creating", "a peer to reset host-a's backup", seconds: 120);
            var noticed = killed.Elapsed;
            // Split by the peers' log stamps: when a peer took the clean-up (its "is gone" line) and when the reset was seen.
            var gone = HostNames.Skip(1).Select(h => Regex.Match(_cluster.Log(h), $@"^(\d\d:\d\d:\d\d\.\d\d\d) .*Backup {victim}: its create operation's owner .* is gone", RegexOptions.Multiline))
                .Where(m => m.Success).Select(m => TimeSpan.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
            var detected = gone - TimeSpan.Parse(killedAt.Trim(), System.Globalization.CultureInfo.InvariantCulture);
            var line = $"dead-host reset: {noticed.TotalSeconds:0.0} s from kill -9 to the reset seen; the peer's clean-up began {detected.TotalSeconds:0.0} s " +
                       $"after the kill (negative: while host-a still ran); service_down_time 4 s, report_interval 1 s; host-a killed at {killedAt}";
            _output.WriteLine(line);
            Console.WriteLine(line);
            // Bound: service_down_time + report_interval, plus slack for a shared, loaded machine (94 s was seen at load 60).
            Assert.True(noticed < TimeSpan.FromSeconds(180), $"reset took {noticed}\n--- host-b\n{_cluster.Log("host-b")}\n--- host-c\n{_cluster.Log("host-c")}");
            _output.WriteLine("--- host-b\n" + _cluster.Log("host-b") + "\n--- host-c\n" + _cluster.Log("host-c"));
            Poll.Until(() => engine.Backups.List().All(b => b.Status is "available" or "error"), "the other backups", seconds: 600);

            var reset = engine.Backups.Get(victim!);
            Assert.True(reset.Status == "error" && reset.FailReason == "incomplete backup reset on manager restart"
                        || reset.Status == "available", $"{reset.Status}: {reset.FailReason}"); // available: its commit point was complete
            Assert.All(engine.Volumes.List(), v => Assert.Equal("available", v.Status));
            Assert.All(ids.Where(id => id != victim), id => Assert.Equal("available", engine.Backups.Get(id).Status));
            foreach (var id in ids.Where(id => engine.Backups.Get(id).Status == "available"))
            {
                Assert.True(engine.Backups.Verify(id, deep: true).IsValid, $"backup {id} does not verify");
            }
            var usage = engine.Quotas.Usage().ToDictionary(u => u.Type);
            Assert.Equal(ids.Count, usage["backups"].InUse);
            Assert.Equal(0, usage["backups"].Reserved);
            var states = engine.Services.List().ToDictionary(s => s.Host, s => s.State);
            Assert.Equal(("down", "up", "up"), (states["host-a"], states["host-b"], states["host-c"]));
        }

        // No backup was done twice: each was taken once (the victim by host-a, never again), and exactly one peer
        // cleaned up after host-a.
        var taken = Taken();
        Assert.All(taken.GroupBy(t => t.Id), g => Assert.Single(g));
        Assert.Equal(ids.Order(), taken.Select(t => t.Id).Order());
        Assert.Equal("host-a", taken.Single(t => t.Id == victim).Host);
        var cleanups = HostNames.Skip(1).Sum(h => Regex.Matches(_cluster.Log(h), $"Backup {victim}: its create operation's owner .* is gone").Count);
        Assert.Equal(1, cleanups);
        // A reset backup leaves nothing in the POSIX repository.
        using var check = Engine();
        if (check.Backups.Get(victim!).Status == "error")
        {
            Assert.DoesNotContain(Directory.EnumerateFiles(_home.File_("posix-repo"), "*", SearchOption.AllDirectories),
                f => Path.GetFileName(f).Contains(victim!, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void AHostPausedPastServiceDownTimeIsResetByAPeerAndOnResumingRecordsNothingOverIt()
    {
        // Slow (4 MiB/s), so that the backup is surely in flight when its host is paused.
        Configure("backup_io_bandwidth_limit: 4MiB");
        _cluster.Start("host-a");
        Volumes(1, 24);
        var id = Submit("volume", "backup", "create", "--repository", "posix", "vol00");
        using var engine = Engine();
        Poll.Until(() => engine.Backups.Get(id) is { Status: "creating", ProgressBytes: > 0 }, "host-a to be mid-backup", seconds: 300);
        _cluster.Signal("host-a", "STOP"); // alive, but silent: no heartbeat, no progress
        try
        {
            _cluster.Start("host-b");
            Poll.Until(() => engine.Backups.Get(id).Status != "creating", "host-b to reset host-a's backup", seconds: 180);
        }
        finally
        {
            _cluster.Signal("host-a", "CONT");
        }
        var reset = engine.Backups.Get(id);
        Assert.Equal(("error", "incomplete backup reset on manager restart"), (reset.Status, reset.FailReason));

        // host-a wakes up mid-transfer: it must notice the backup is no longer its own and stop, recording nothing.
        Poll.Until(() => _cluster.Log("host-a").Contains($"Backup {id}: create failed", StringComparison.Ordinal), "host-a to notice", seconds: 120);
        Thread.Sleep(TimeSpan.FromSeconds(3)); // anything host-a would still write lands by now
        var after = engine.Backups.Get(id);
        Assert.Equal(("error", "incomplete backup reset on manager restart"), (after.Status, after.FailReason));
        Assert.Contains("was taken over by another backup service", _cluster.Log("host-a"), StringComparison.Ordinal);
        Assert.Equal("available", engine.Volumes.Get("vol00").Status);
        var events = File.ReadAllLines(Path.Combine(_home.Home, "cinder-backup.log")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("backup_id").GetString() == id).Select(e => e.GetProperty("event_type").GetString()).ToList();
        Assert.Equal(1, events.Count(e => e == "backup.create.error"));
        Assert.DoesNotContain("backup.create.end", events);
        Assert.DoesNotContain(RepositoryFiles.Of(_home.File_("posix-repo")), f => f.Contains(id, StringComparison.Ordinal));
        var usage = engine.Quotas.Usage().ToDictionary(u => u.Type);
        Assert.Equal((1L, 0L), (usage["backups"].InUse, usage["backups"].Reserved)); // the errored row counts, as in Cinder
        Assert.Single(Regex.Matches(_cluster.Log("host-b"), $"Backup {id}: its create operation's owner .* is gone"));
    }

    [Fact]
    public void QueuedWorkOfAZoneWhoseLoneServiceWasKilledIsEndedOnceNamingTheZone()
    {
        Configure("backup_io_bandwidth_limit: 1MiB");
        Volumes(3, 4);
        string source;
        using (var engine = Engine())
        {
            // The busy backup must outlast two CLI start-ups and the kill on a loaded machine: 16 MiB at 1 MiB/s.
            Disk.WriteRandom(engine.Volumes.Get("vol00").Path!, 8 << 20, 12 << 20, 7);
            source = engine.Backups.Create(new BackupCreateOptions { Volume = "vol02", Name = "src" }).Id; // no service yet: runs here
        }
        _cluster.Start("host-a");
        using (var engine = Engine())
        {
            Poll.Until(() => engine.Services.List().Any(s => s.Host == "host-a" && s.State == "up"), "host-a to be up");
        }
        // The lone service is busy with one backup (16 s at 1 MiB/s) while a backup and a restore wait in the queue.
        var busy = Submit("volume", "backup", "create", "vol00");
        using (var engine = Engine())
        {
            Poll.Until(() => engine.Backups.Get(busy).Host == "host-a", "host-a to take the first backup");
        }
        var queued = Submit("volume", "backup", "create", "vol01");
        CliRunner.Ok(_home, "volume", "backup", "restore", source, "--name", "target", "--no-wait");
        _cluster.Kill("host-a");
        Assert.DoesNotContain(Taken(), t => t.Id == queued || t.Id == source);

        // Any process that runs recovery (here, CLI start-ups, three at once each round) ends the stranded work once
        // service_down_time (4 s) has passed.
        using (var engine = Engine())
        {
            Poll.Until(() =>
            {
                using var racers = new CliProcesses();
                var started = Enumerable.Range(0, 3).Select(_ => racers.Start(_home, "volume", "backup", "list")).ToList();
                Assert.All(started, p => Assert.Equal(0, CliProcesses.End(p).ExitCode));
                return engine.Backups.Get(queued).Status != "creating" && engine.Volumes.Get("target").Status != "restoring-backup"
                    && engine.Backups.Get(busy).Status != "creating";
            }, "the stranded operations to be ended", seconds: 120);
            var failed = engine.Backups.Get(queued);
            Assert.Equal("error", failed.Status);
            Assert.Equal("Service not found for creating backup: no backup service of availability zone 'nova' that can reach the volume has been up for 4 s (service_down_time); the queued create was ended.",
                failed.FailReason);
            Assert.Equal("available", engine.Volumes.Get("vol01").Status);
            Assert.Equal("error_restoring", engine.Volumes.Get("target").Status);
            Assert.Equal("available", engine.Backups.Get(source).Status);
            Assert.Equal("available", engine.Volumes.Get("vol00").Status); // the one in flight: reset (or adopted) as before
        }
        var events = File.ReadAllLines(Path.Combine(_home.Home, "cinder-backup.log")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        int Count(string type, string id) => events.Count(e => e.GetProperty("event_type").GetString() == type && e.GetProperty("backup_id").GetString() == id);
        Assert.Equal(1, Count("backup.create.error", queued));
        Assert.Equal(1, Count("backup.restore.error", source));

        // volume service set (admin, as Cinder's): the dead host can be marked disabled; bad combinations are refused.
        CliRunner.Ok(_home, "volume", "service", "set", "--disable", "--disable-reason", "dead", "host-a", "cinder-backup");
        var row = JsonDocument.Parse(CliRunner.Ok(_home, "volume", "service", "list", "-f", "json").Stdout).RootElement.EnumerateArray().Single();
        Assert.Equal(("disabled", "down"), (row.GetProperty("Status").GetString(), row.GetProperty("State").GetString()));
        var bad = CliRunner.Run(_home, "volume", "service", "set", "--enable", "--disable-reason", "x", "host-a", "cinder-backup");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("Cannot specify option --disable-reason without --disable specified.", bad.Stderr);
        bad = CliRunner.Run(_home, "volume", "service", "set", "--disable", "host-z", "cinder-backup");
        Assert.Contains("Service cinder-backup could not be found on host host-z.", bad.Stderr);
    }

    [Fact]
    public void ServiceRunRefusesABadHostNameAndRegistersNothing()
    {
        Configure();
        foreach (var bad in new[] { "two words", "" })
        {
            var r = CliRunner.Run(_home, "service", "run", "--host", bad);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("host", r.Stderr, StringComparison.Ordinal);
        }
        var z = CliRunner.Run(_home, "service", "run", "--host", "h", "--storage-availability-zone", "a\tb");
        Assert.Equal(1, z.ExitCode);
        Assert.Contains("storage availability zone", z.Stderr, StringComparison.Ordinal);
        Assert.Equal("[]", CliRunner.Ok(_home, "volume", "service", "list", "-f", "json").Stdout.Trim());
    }
}
