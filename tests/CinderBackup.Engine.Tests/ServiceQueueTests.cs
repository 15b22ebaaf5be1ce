using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// Backup services that share the work (issue 19, item 2), in one process: the queue (an operation is queued only when
/// a service of its zone that can reach its volume is up, and then taken by exactly one), which hosts reach a volume
/// (shared_volume_paths), and the clean-up of a down host's operations by live peers, exactly once. The same with real
/// processes and kill -9: tests/CinderBackup.Cli.Tests/MultiHostCliTests.
/// </summary>
// Trait PostgresCI: CI runs this class on PostgreSQL too (build.ps1; README "Tests"): about a minute there.
[Trait("PostgresCI", "true")]
public sealed class ServiceQueueTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly BackupEngine _engine;
    private readonly List<Service> _services = new();

    public ServiceQueueTests()
    {
        _home.WriteConfig($"backup_file_size: 1MiB\nquota_backups: 200\nquota_volumes: 100\nreport_interval: 1\nservice_down_time: 6\nshared_volume_paths: {Path.Combine(_home.Home, "volumes")}\n");
        _engine = EngineFactory.Open(_home);
    }

    public void Dispose()
    {
        foreach (var s in _services)
        {
            s.Dispose();
        }
        _engine.Dispose();
        _home.Dispose();
    }

    /// <summary>A backup service of <paramref name="host"/> running on a thread of this process; its log lines are kept.</summary>
    private sealed class Service : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly BackupEngine _engine;
        private readonly Task _run;

        public Service(TempHome home, string host, string? zone)
        {
            // The start-up recovery of its engine cleans up too: its lines go to the same log as the loop's.
            _engine = BackupEngine.Open(EngineFactory.Options(home) with { Host = host, AvailabilityZone = zone, Detail = Log.Enqueue });
            _run = Task.Run(() => _engine.Services.Run(Log.Enqueue, _stop.Token));
        }

        public ConcurrentQueue<string> Log { get; } = new();

        public void Dispose()
        {
            _stop.Cancel();
            _run.GetAwaiter().GetResult();
            _engine.Dispose();
            _stop.Dispose();
        }
    }

    private Service Start(string host, string? zone = null)
    {
        var s = new Service(_home, host, zone);
        _services.Add(s);
        Poll.Until(() => _engine.Services.List().Any(x => x.Host == host && x.State == "up"), $"service {host} to be up");
        return s;
    }

    private BlockVolume Volume(string name, int seed)
    {
        var v = _engine.Volumes.Create(name, 1);
        Disk.WriteRandom(v.Path, 0, 3 << 20, seed);
        return v;
    }

    private List<JsonElement> Events() => File.ReadAllLines(Path.Combine(_home.Home, "cinder-backup.log"))
        .Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private int Count(string eventType, string backupId) =>
        Events().Count(e => e.GetProperty("event_type").GetString() == eventType && e.GetProperty("backup_id").GetString() == backupId);

    [Fact]
    public void WithNoServiceUpNothingIsQueuedAndTheOperationRunsAsBefore()
    {
        Volume("v", 1);
        var b = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "v" });
        Assert.False(_engine.Backups.Enqueue(b.Id));
        Assert.Equal(0, _engine.Catalog.Read(Catalog.OperationClaims.QueuedCount));
        Assert.Equal(Environment.ProcessId, _engine.Backups.OwnerProcess(b.Id));
        Assert.Equal("available", _engine.Backups.RunCreate(b.Id).Status);
    }

    [Fact]
    public void AQueuedBackupAndRestoreAreDoneByAServiceOfTheZone()
    {
        var v = Volume("v", 2);
        var service = Start("h1");
        var b = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "v", Name = "b" });
        Assert.True(_engine.Backups.Enqueue(b.Id));
        Assert.Null(_engine.Backups.OwnerProcess(b.Id)); // waiting, owned by no process
        Assert.Equal("available", _engine.Backups.WaitCreate(b.Id).Status);
        var r = _engine.Backups.StartRestore("b", name: "copy");
        Assert.True(_engine.Backups.Enqueue(r.BackupId));
        var done = _engine.Backups.WaitRestore(r.BackupId, r.VolumeId);
        Assert.Equal(Disk.Sha256(v.Path), Disk.Sha256(_engine.Volumes.Get(done.VolumeId).Path));
        Assert.Contains(service.Log, l => l == $"Backup {b.Id}: create done.");
        Assert.Equal("h1", _engine.Backups.Get("b").Host); // as Cinder, the backup's host is the service that made it
        Assert.Contains(service.Log, l => l == $"Backup {b.Id}: restore done.");
        // Another project's identity was used: the service ran it as the backup's own project and user.
        Assert.Equal(("default", "tester"), (_engine.Backups.Get("b").ProjectId, _engine.Backups.Get("b").UserId));
    }

    [Fact]
    public void OnlyAServiceOfTheZoneThatReachesTheVolumeGetsTheWork()
    {
        // A registered image outside shared_volume_paths is reachable from its own host only (backup_use_same_host).
        var path = _home.File_("local.img");
        using (var fs = File.Create(path))
        {
            fs.SetLength(2 << 20);
        }
        Disk.WriteRandom(path, 0, 1 << 20, 3);
        _engine.Volumes.Register("local", path);
        Volume("shared", 4);
        Start("h1", "other-zone");
        var shared = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "shared" });
        Assert.False(_engine.Backups.Enqueue(shared.Id)); // the only service is of another zone
        _engine.Backups.RunCreate(shared.Id);
        Start("h2");
        var local = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "local" });
        Assert.False(_engine.Backups.Enqueue(local.Id)); // h2 cannot reach this host's file
        Assert.Equal(Environment.ProcessId, _engine.Backups.OwnerProcess(local.Id));
        _engine.Backups.RunCreate(local.Id);
        var again = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "shared", Incremental = true });
        Assert.True(_engine.Backups.Enqueue(again.Id));
        Assert.Equal("available", _engine.Backups.WaitCreate(again.Id).Status);
        Start(Environment.MachineName); // the volume's own host
        var local2 = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "local", Incremental = true });
        Assert.True(_engine.Backups.Enqueue(local2.Id));
        Assert.Equal("available", _engine.Backups.WaitCreate(local2.Id).Status);
    }

    [Fact]
    public void RacingServicesDoEachOperationOnce()
    {
        var services = Enumerable.Range(1, 4).Select(i => Start($"h{i}")).ToList();
        var ids = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            Volume($"v{i}", 10 + i);
            var b = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = $"v{i}" });
            Assert.True(_engine.Backups.Enqueue(b.Id));
            ids.Add(b.Id);
        }
        foreach (var id in ids)
        {
            Assert.Equal("available", _engine.Backups.WaitCreate(id).Status);
        }
        var taken = services.SelectMany(s => s.Log).Where(l => l.EndsWith(": create taken from the queue (project default).", StringComparison.Ordinal)).ToList();
        Assert.Equal(ids.Count, taken.Count);
        Assert.All(ids, id => Assert.Single(taken, l => l.StartsWith($"Backup {id}:", StringComparison.Ordinal)));
        Assert.All(ids, id => Assert.Equal(1, Count("backup.create.end", id)));
        Assert.True(services.Count(s => s.Log.Any(l => l.Contains("taken", StringComparison.Ordinal))) >= 2, "the work was not shared");
    }

    [Fact]
    public void ADisabledServiceTakesNoQueuedWork()
    {
        var h1 = Start("h1");
        var h2 = Start("h2");
        using (var admin = EngineFactory.Open(_home, admin: true))
        {
            var set = admin.Services.Set("h1", "cinder-backup", disabled: true, reason: "maintenance");
            Assert.Equal(("h1", "disabled", "up"), (set.Host, set.Status, set.State));
            Assert.Equal(ErrorIds.ServiceNotFound, Assert.Throws<CinderBackupException>(() => admin.Services.Set("h9", "cinder-backup", true)).ErrorId);
            Assert.Equal("Service cinder-volume could not be found on host h1.",
                Assert.Throws<CinderBackupException>(() => admin.Services.Set("h1", "cinder-volume", true)).Message);
            Assert.Equal(ErrorIds.InvalidArgument, Assert.Throws<CinderBackupException>(() => admin.Services.Set("h2", "cinder-backup", false, "why")).ErrorId);
            Assert.Equal(ErrorIds.InvalidName, Assert.Throws<CinderBackupException>(() => admin.Services.Set("h2", "cinder-backup", true, new string('r', 256))).ErrorId);
        }
        using (var member = EngineFactory.Open(_home, "proja", "amy", admin: false))
        {
            Assert.Equal(ErrorIds.PolicyNotAuthorized, Assert.Throws<CinderBackupException>(() => member.Services.Set("h2", "cinder-backup", true)).ErrorId);
        }
        Assert.Equal(new[] { ("h1", "disabled"), ("h2", "enabled") }, _engine.Services.List().Select(s => (s.Host, s.Status)).OrderBy(x => x.Host));
        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            Volume($"v{i}", 40 + i);
            var b = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = $"v{i}" });
            Assert.True(_engine.Backups.Enqueue(b.Id)); // h2 is enabled and up
            ids.Add(b.Id);
        }
        Assert.All(ids, id => Assert.Equal("available", _engine.Backups.WaitCreate(id).Status));
        Assert.DoesNotContain(h1.Log, l => l.Contains("taken from the queue", StringComparison.Ordinal));
        Assert.Equal(ids.Count, h2.Log.Count(l => l.Contains("taken from the queue", StringComparison.Ordinal)));
        Assert.All(ids, id => Assert.Equal("h2", _engine.Backups.Get(id).Host));

        // Enabled again, it takes work again; with every service of the zone disabled nothing is queued.
        using (var admin = EngineFactory.Open(_home, admin: true))
        {
            Assert.Equal("enabled", admin.Services.Set("h1", "cinder-backup", disabled: false).Status);
            admin.Services.Set("h1", "cinder-backup", disabled: true);
            admin.Services.Set("h2", "cinder-backup", disabled: true);
        }
        Volume("last", 60);
        var last = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "last" });
        Assert.False(_engine.Backups.Enqueue(last.Id));
        Assert.Equal("available", _engine.Backups.RunCreate(last.Id).Status);
    }

    [Fact]
    public async Task ADownHostsOperationsAreCleanedUpOnceByALivePeer()
    {
        Volume("v1", 5);
        Volume("v2", 6);
        var source = _engine.Backups.Create(new BackupCreateOptions { Volume = "v2", Name = "r" });
        var creating = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "v1", Name = "c" });
        var deleting = _engine.Backups.Create(new BackupCreateOptions { Volume = "v2", Name = "d", Incremental = true });
        var restoring = _engine.Backups.StartRestore("r", name: "target");
        // All three now belong to host "dead", whose last sign of life is older than service_down_time. Before any peer
        // starts: this test process's own operations, unheartbeated, are a gone owner's to a peer after service_down_time too (on a
        // slow catalog a peer then cleaned one up before this rewrite, and the count below saw 2 of 3).
        var old = Util.Clock.ToStorage(Util.Clock.UtcNow.AddSeconds(-30));
        _engine.Catalog.Write(db =>
        {
            db.Execute("UPDATE backups SET status = 'deleting', operation = 'delete' WHERE id = $id", ("$id", deleting.Id));
            db.Execute("UPDATE backups SET owner_host = 'dead', owner_pid = 4242, heartbeat_at = $old WHERE operation IS NOT NULL", ("$old", old));
            db.Execute("INSERT INTO services (host, binary, topic, availability_zone, report_count, pid, created_at, updated_at) VALUES ('dead', 'cinder-backup', 'cinder-backup', 'nova', 1, 4242, $old, $old)", ("$old", old));
        });
        // Started together, so their start-up recoveries and clean-up loops race for the same three operations.
        var peers = await Task.WhenAll(new[] { "h1", "h2", "h3" }.Select(h => Task.Run(() => new Service(_home, h, null))));
        _services.AddRange(peers);
        Poll.Until(() => _engine.Backups.List().All(b => b.Status is "available" or "error"), "the peers to clean up");
        var c = _engine.Backups.Get("c");
        Assert.Equal(("error", "incomplete backup reset on manager restart"), (c.Status, c.FailReason));
        Assert.Equal("available", _engine.Volumes.Get("v1").Status);
        Assert.Equal("error_restoring", _engine.Volumes.Get("target").Status);
        Assert.Equal("available", _engine.Backups.Get(source.Id).Status);
        Assert.Throws<CinderBackupException>(() => _engine.Backups.Get(deleting.Id));
        Assert.Equal(1, Count("backup.create.error", creating.Id));
        Assert.Equal(1, Count("backup.restore.error", restoring.BackupId));
        Assert.Equal(1, Count("backup.delete.end", deleting.Id));
        var cleanups = peers.SelectMany(p => p.Log).Where(l => l.Contains("is gone; cleaning up", StringComparison.Ordinal)).ToList();
        Assert.True(cleanups.Count == 3, string.Join("\n", peers.SelectMany(p => p.Log)));
        Assert.Equal("down", _engine.Services.List().Single(s => s.Host == "dead").State);
        var usage = _engine.Quotas.Usage().ToDictionary(u => u.Type);
        Assert.Equal(2, usage["backups"].InUse); // r and the reset c; d's release counted once
    }

    [Fact]
    public void AnOperationOfAHostWhoseServiceIsUpIsNotTakenFromIt()
    {
        // A peer cleaning up renews no operation heartbeat; its service's own row says it is alive. Taking the
        // operation from it then would clean it up twice (seen in MultiHostCliTests' kill -9 run before the fix).
        Volume("v1", 5);
        var creating = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "v1", Name = "c" });
        var old = Util.Clock.ToStorage(Util.Clock.UtcNow.AddSeconds(-30));
        _engine.Catalog.Write(db => db.Execute(
            "UPDATE backups SET owner_host = 'busy', owner_pid = $pid, heartbeat_at = $old WHERE operation IS NOT NULL",
            ("$old", old), ("$pid", Environment.ProcessId))); // a live pid: busy's own service leaves it alone too
        var busy = Start("busy"); // its service row is fresh from here on
        var peer = Start("h1");
        Thread.Sleep(TimeSpan.FromSeconds(8)); // over service_down_time (6 s: 3 s was judged down on a loaded CI machine), several report_intervals (1 s)
        Assert.Equal("creating", _engine.Backups.Get(creating.Id).Status);
        Assert.DoesNotContain(peer.Log, l => l.Contains("is gone; cleaning up", StringComparison.Ordinal));
        busy.Dispose();
        _services.Remove(busy);
        Poll.Until(() => _engine.Backups.Get(creating.Id).Status == "error", "the peer to clean up once busy's service is down");
    }

    [Fact]
    public void AQueuedRowNamingAnotherProjectsVolumeIsRefusedByTheService()
    {
        // A project's own row edited by hand (as a PostgreSQL project role may) to name another project's volume: the
        // service, which sees every project, must not back it up into this project.
        Volume("mine", 5);
        using (var other = EngineFactory.Open(_home, "projb", "bob"))
        {
            var theirs = other.Volumes.Create("theirs", 1);
            Disk.WriteRandom(theirs.Path, 0, 3 << 20, 9);
        }
        var b = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "mine" });
        var theirsId = _engine.Catalog.Read(db => db.Query("SELECT id FROM volumes WHERE display_name = 'theirs'", r => r.GetString(0))).Single();
        _engine.Catalog.Write(db => db.Execute("UPDATE backups SET volume_id = $v WHERE id = $id", ("$v", theirsId), ("$id", b.Id)));
        Start("h1");
        Assert.True(_engine.Backups.Enqueue(b.Id));
        Poll.Until(() => _engine.Backups.Get(b.Id).Status == "error", "the service to refuse the row");
        Assert.Contains("is not a volume of project", _engine.Backups.Get(b.Id).FailReason, StringComparison.Ordinal);
        Assert.True(_engine.Backups.Get(b.Id).ObjectCount is null or 0);
    }

    [Fact]
    public void ServiceHostAndZoneAreChecked()
    {
        foreach (var bad in new[] { "", "two words", "tab\there", new string('h', 256) })
        {
            var e = Assert.Throws<CinderBackupException>(() => BackupEngine.Open(EngineFactory.Options(_home) with { Host = bad }));
            Assert.Contains("host", e.Message, StringComparison.Ordinal);
            var z = Assert.Throws<CinderBackupException>(() => BackupEngine.Open(EngineFactory.Options(_home) with { AvailabilityZone = bad }));
            Assert.Contains("storage availability zone", z.Message, StringComparison.Ordinal);
        }
        Assert.Empty(_engine.Services.List());
    }

    [Fact]
    public void AServiceRestartedOnItsHostResetsWhatItsDeadPredecessorLeft()
    {
        Volume("v", 7);
        var b = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "v" });
        // Owned by a process of host h1 that no longer runs (pid of a process that has exited).
        using var gone = Process.Start(new ProcessStartInfo("true"))!;
        gone.WaitForExit();
        _engine.Catalog.Write(db => db.Execute("UPDATE backups SET owner_host = 'h1', owner_pid = $pid WHERE id = $id", ("$pid", gone.Id), ("$id", b.Id)));
        var h1 = Start("h1");
        Poll.Until(() => _engine.Backups.Get(b.Id).Status == "error", "the restarted service to reset the backup");
        Assert.Equal(1, Count("backup.create.error", b.Id));
    }
}
