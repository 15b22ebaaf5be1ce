using System.Diagnostics;
using System.Text.Json;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>Cinder's backup lifecycle: statuses, cancel, reset, quotas, services, recovery, events (issue 4).</summary>
// Trait PostgresCI: CI runs this class on PostgreSQL too (build.ps1; README "Tests").
[Trait("PostgresCI", "true")]
public sealed class LifecycleTests : IDisposable
{
    private readonly TempHome _home = new();
    private BackupEngine _engine;

    public LifecycleTests()
    {
        _home.WriteConfig("backup_file_size: 4MiB\n");
        _engine = EngineFactory.Open(_home);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _home.Dispose();
    }

    private BlockVolume Volume(string name, int mib = 24)
    {
        var v = _engine.Volumes.Create(name, 1);
        Disk.WriteRandom(v.Path, 0, mib << 20, seed: name.Length);
        return v;
    }

    /// <summary>An engine whose operations read and write at most 8 MiB/s, so another session can act meanwhile.</summary>
    private BackupEngine Slow()
    {
        File.WriteAllText(_home.ConfigPath, "backup_file_size: 4MiB\nbackup_io_bandwidth_limit: 8MiB\n");
        var slow = EngineFactory.Open(_home);
        File.WriteAllText(_home.ConfigPath, "backup_file_size: 4MiB\n");
        return slow;
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), "timed out waiting for " + what);
            Thread.Sleep(50);
        }
    }

    private string Repo(VolumeBackup b) => Path.Combine(_home.Home, "backup", b.Container!);

    [Fact]
    public async Task StatusesDuringAndAfterABackup()
    {
        Volume("v");
        using var slow = Slow();
        var started = slow.Backups.StartCreate(new BackupCreateOptions { Volume = "v", Name = "b" });
        Assert.Equal("creating", started.Status);
        var v = _engine.Volumes.Get("v");
        Assert.Equal(("backing-up", "available"), (v.Status, v.PreviousStatus));
        var run = Task.Run(() => slow.Backups.RunCreate(started.Id));
        WaitFor(() => _engine.Backups.Get("b").ProgressBytes > 0, "progress");
        var seen = _engine.Backups.Get("b");
        Assert.Equal("creating", seen.Status);
        Assert.InRange(seen.ProgressPercent!.Value, 0.0, 100.0);
        Assert.Equal(24L << 20, seen.ProgressTotalBytes); // the data to read, not the 1 GiB volume (holes are not read: issue 20)
        await run;
        Assert.Equal("available", _engine.Backups.Get("b").Status);
        Assert.Null(_engine.Backups.Get("b").ProgressPercent);
        v = _engine.Volumes.Get("v");
        Assert.Equal(("available", "backing-up"), (v.Status, v.PreviousStatus));
    }

    [Fact]
    public void AFailedBackupIsErrorWithItsReasonAndTheVolumeIsBack()
    {
        Volume("v");
        var blocker = _home.File_("not-a-directory");
        File.WriteAllText(blocker, "x");
        File.WriteAllText(_home.ConfigPath, $"backup_file_size: 4MiB\nbackup_posix_path: {blocker}/repo\n");
        using var broken = EngineFactory.Open(_home);
        var e = Assert.Throws<CinderBackupException>(() => broken.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "b" }));
        Assert.Equal(ErrorIds.BackupFailed, e.ErrorId);
        var b = broken.Backups.Get("b");
        Assert.Equal("error", b.Status);
        Assert.Contains("Cannot create the container directory", b.FailReason);
        Assert.True(b.FailReason!.Length <= 255);
        var v = broken.Volumes.Get("v");
        Assert.Equal(("available", "error_backing-up"), (v.Status, v.PreviousStatus));
        // error backups keep consuming quota, as in Cinder
        Assert.Equal(1, broken.Quotas.Usage().Single(u => u.Type == "backups").InUse);
    }

    [Fact]
    public async Task ForceDeleteOfACreatingBackupCancelsIt()
    {
        Volume("v", mib: 64);
        using var slow = Slow();
        var started = slow.Backups.StartCreate(new BackupCreateOptions { Volume = "v", Name = "b" });
        var run = Task.Run(() => slow.Backups.RunCreate(started.Id));
        WaitFor(() => _engine.Backups.Get("b").ObjectCount is not null || _engine.Backups.Get("b").ProgressBytes > 8 << 20, "some objects");
        var b = _engine.Backups.Get("b");
        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Delete("b"));
        Assert.Equal("Invalid backup: Backup status must be available or error", e.Message);
        _engine.Backups.Delete("b", force: true);
        var cancelled = await Assert.ThrowsAsync<CinderBackupException>(() => run);
        Assert.Equal(ErrorIds.BackupCancelled, cancelled.ErrorId);
        Assert.Throws<CinderBackupException>(() => _engine.Backups.Get(b.Id));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Repo(b)));
        Assert.Equal("available", _engine.Volumes.Get("v").Status);
        Assert.Equal(0, _engine.Quotas.Usage().Single(u => u.Type == "backups").InUse);
    }

    [Fact]
    public async Task ResettingARestoringBackupToErrorCancelsTheRestore()
    {
        Volume("v", mib: 64);
        var b = _engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "b" });
        using var slow = Slow();
        var started = slow.Backups.StartRestore("b");
        Assert.Equal("restoring", _engine.Backups.Get("b").Status);
        Assert.Equal("restoring-backup", _engine.Volumes.Get(started.VolumeId).Status);
        var run = Task.Run(() => slow.Backups.RunRestore(b.Id));
        WaitFor(() => _engine.Backups.Get("b").ProgressBytes > 0, "restore progress");
        _engine.Backups.ResetState("b", "ERROR");
        var cancelled = await Assert.ThrowsAsync<CinderBackupException>(() => run);
        Assert.Equal(ErrorIds.RestoreCancelled, cancelled.ErrorId);
        Assert.Equal($"Canceled backup {b.Id} restore on volume {started.VolumeId}", cancelled.Message);
        // Cinder: the volume becomes error and the backup available, whatever the admin set.
        Assert.Equal("error", _engine.Volumes.Get(started.VolumeId).Status);
        Assert.Equal("available", _engine.Backups.Get("b").Status);
    }

    [Fact]
    public void ResetStateRules()
    {
        Volume("v");
        _engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "b" });
        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.ResetState("b", "creating"));
        Assert.Equal("Backup status: creating is invalid, valid statuses are: ['available', 'error'].", e.Message);
        Assert.Equal("error", _engine.Backups.ResetState("b", "Error").Status);
        Assert.Equal("available", _engine.Backups.ResetState("b", "available").Status);
        using var user = EngineFactory.Open(_home, "default", "bob", admin: false);
        Assert.Equal(ErrorIds.PolicyNotAuthorized, Assert.Throws<CinderBackupException>(() => user.Backups.ResetState("b", "error")).ErrorId);
        var events = File.ReadAllLines(Path.Combine(_home.Home, "cinder-backup.log")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event_type").GetString()).ToList();
        Assert.Contains("backup.reset_status.start", events);
        Assert.Contains("backup.reset_status.end", events);
    }

    [Fact]
    public void QuotaDefaultsLimitsMessagesAndRelease()
    {
        var q = _engine.Quotas.Get();
        Assert.Equal((10, 1000, true), (q.Backups, q.BackupGigabytes, q.IsDefault));
        _engine.Volumes.Create("v2", 2);
        _engine.Quotas.Set("default", backups: 2, backupGigabytes: 3);
        var first = _engine.Backups.Create(new BackupCreateOptions { Volume = "v2" });
        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Create(new BackupCreateOptions { Volume = "v2" }));
        Assert.Equal((ErrorIds.VolumeBackupSizeExceedsAvailableQuota, ErrorKind.QuotaExceeded), (e.ErrorId, e.Kind));
        Assert.Equal("Requested backup exceeds allowed Backup gigabytes quota. Requested 2G, quota is 3G and 2G has been consumed.", e.Message);
        _engine.Quotas.Set("default", backupGigabytes: -1);
        _engine.Backups.Create(new BackupCreateOptions { Volume = "v2" });
        e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Create(new BackupCreateOptions { Volume = "v2" }));
        Assert.Equal("Maximum number of backups allowed (2) exceeded", e.Message);
        Assert.Equal(ErrorIds.BackupLimitExceeded, e.ErrorId);
        var usage = _engine.Quotas.Usage().ToDictionary(u => u.Type);
        Assert.Equal((2L, 0L, 2), (usage["backups"].InUse, usage["backups"].Reserved, usage["backups"].Limit));
        Assert.Equal((4L, -1), (usage["backup_gigabytes"].InUse, usage["backup_gigabytes"].Limit));
        e = Assert.Throws<CinderBackupException>(() => _engine.Quotas.Set("default", backups: 1));
        Assert.Equal("Quota backups limit must be equal or greater than existing resources. Current usage is 2 and the requested limit is 1.", e.Message);
        Assert.Equal("backups must be >= -1", Assert.Throws<CinderBackupException>(() => _engine.Quotas.Set("default", backups: -2)).Message);
        Assert.Equal("backups must be an integer", Assert.Throws<CinderBackupException>(() => QuotaApi.ParseLimit("backups", "ten")).Message);

        _engine.Backups.Delete(first.Id);
        Assert.Equal(1, _engine.Quotas.Usage().Single(u => u.Type == "backups").InUse);
        // Imports count too.
        var record = _engine.Backups.Export(_engine.Backups.List()[0].Id);
        _engine.Quotas.Set("default", backups: 1);
        _engine.Backups.Delete(_engine.Backups.List()[0].Id);
        _engine.Backups.Import(record.BackupService, record.BackupUrl);
        Assert.Equal(1, _engine.Quotas.Usage().Single(u => u.Type == "backups").InUse);
        Assert.Throws<CinderBackupException>(() => _engine.Backups.Create(new BackupCreateOptions { Volume = "v2" }));
    }

    [Fact]
    public void QuotaPolicy()
    {
        using var user = EngineFactory.Open(_home, "p1", "u1", admin: false);
        Assert.Equal("p1", user.Quotas.Get().ProjectName);
        Assert.Equal(ErrorIds.PolicyNotAuthorized, Assert.Throws<CinderBackupException>(() => user.Quotas.Get("p2")).ErrorId);
        Assert.Equal(ErrorIds.PolicyNotAuthorized, Assert.Throws<CinderBackupException>(() => user.Quotas.Set("p1", backups: 100)).ErrorId);
        Assert.Equal(5, _engine.Quotas.Set("p1", backups: 5).Backups);
        Assert.Equal(5, user.Quotas.Get().Backups);
    }

    [Fact]
    public void ConcurrentCreatesNeverOvershootTheQuota()
    {
        for (var i = 0; i < 6; i++)
        {
            _engine.Volumes.Create("v" + i, 1);
        }
        _engine.Quotas.Set("default", backups: 3);
        var results = Enumerable.Range(0, 6).AsParallel().WithDegreeOfParallelism(6).Select(i =>
        {
            using var engine = EngineFactory.Open(_home);
            try
            {
                engine.Backups.Create(new BackupCreateOptions { Volume = "v" + i });
                return "ok";
            }
            catch (CinderBackupException e)
            {
                return e.ErrorId;
            }
        }).ToList();
        Assert.Equal(3, results.Count(r => r == "ok"));
        Assert.Equal(3, results.Count(r => r == ErrorIds.BackupLimitExceeded));
        Assert.Equal(3, _engine.Backups.List().Count);
    }

    [Fact]
    public async Task WaitReturnsWhenTheOperationEndsAndTimesOut()
    {
        Volume("v", mib: 48);
        using var slow = Slow();
        var started = slow.Backups.StartCreate(new BackupCreateOptions { Volume = "v", Name = "b" });
        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Wait("b", TimeSpan.FromSeconds(1)));
        Assert.Equal(ErrorIds.WaitTimeout, e.ErrorId);
        Assert.Equal($"Backup {started.Id} is still creating after 1 seconds.", e.Message);
        var run = Task.Run(() => slow.Backups.RunCreate(started.Id));
        Assert.Equal("available", _engine.Backups.Wait("b").Status);
        await run;
    }

    [Fact]
    public async Task OnlyServicesReportAndTheyGoDown()
    {
        // Opening the catalog and running an operation no longer makes a process a service (issue 19): only `service run` is one.
        Volume("v");
        _engine.Backups.Create(new BackupCreateOptions { Volume = "v" });
        Assert.Empty(_engine.Services.List());
        using var cts = new CancellationTokenSource();
        using var service = BackupEngine.Open(EngineFactory.Options(_home) with { Host = "h1" });
        var run = Task.Run(() => service.Services.Run(_ => { }, cts.Token));
        WaitFor(() => run.IsCompleted || _engine.Services.List().Count == 1, "the service to report");
        Assert.False(run.IsCompleted, run.Exception?.ToString() ?? "the service ended");
        var s = Assert.Single(_engine.Services.List());
        Assert.Equal(("cinder-backup", "h1", "nova", "enabled", "up"), (s.Binary, s.Host, s.Zone, s.Status, s.State));
        _engine.Catalog.Write(db => db.Execute("UPDATE services SET updated_at = '2000-01-01T00:00:00.000000'"));
        Assert.Equal("down", _engine.Services.List()[0].State);
        cts.Cancel();
        await run;
        // A clean stop says so: down at once, however recent its last report.
        _engine.Catalog.Write(db => db.Execute("UPDATE services SET updated_at = $now", ("$now", Util.Clock.ToStorage(Util.Clock.UtcNow))));
        Assert.Equal("down", _engine.Services.List()[0].State);
    }

    [Fact]
    public void StartupCleansUpAfterOwnersThatAreGone()
    {
        Volume("v1");
        Volume("v2");
        var restoreSource = _engine.Backups.Create(new BackupCreateOptions { Volume = "v2", Name = "r" });
        var creating = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "v1", Name = "c" });
        var restoring = _engine.Backups.StartRestore("r");
        var deleting = _engine.Backups.Create(new BackupCreateOptions { Volume = "v2", Name = "d" });
        _engine.Catalog.Write(db => db.Execute("UPDATE backups SET status = 'deleting', operation = 'delete' WHERE id = $id", ("$id", deleting.Id)));
        // Leave partial work behind for the creating one, as a crash would.
        var c = _engine.Backups.Get("c");
        var dir = Path.Combine(_home.Home, "backup", c.Id[..2], c.Id[2..4], c.Id);
        Directory.CreateDirectory(dir);
        var prefix = $"volume_{c.VolumeId}_20240101000000_backup_{c.Id}";
        File.WriteAllText(Path.Combine(dir, prefix + "-00001"), "partial");
        File.WriteAllText(Path.Combine(dir, $".cbstage-{c.Id}-abc"), "staged");
        _engine.Catalog.Write(db => db.Execute("UPDATE backups SET container = $c, service_metadata = $p WHERE id = $id",
            ("$c", $"{c.Id[..2]}/{c.Id[2..4]}/{c.Id}"), ("$p", prefix), ("$id", c.Id)));
        // Their owner: a process that has exited.
        using var gone = Process.Start(new ProcessStartInfo("true"))!;
        gone.WaitForExit();
        _engine.Catalog.Write(db => db.Execute("UPDATE backups SET owner_pid = $pid WHERE operation IS NOT NULL", ("$pid", gone.Id)));

        _engine.Dispose();
        _engine = EngineFactory.Open(_home);

        var cr = _engine.Backups.Get(creating.Id);
        Assert.Equal(("error", "incomplete backup reset on manager restart"), (cr.Status, cr.FailReason));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        var v1 = _engine.Volumes.Get("v1");
        Assert.Equal(("available", "error_backing-up"), (v1.Status, v1.PreviousStatus));
        Assert.Equal("available", _engine.Backups.Get(restoreSource.Id).Status);
        Assert.Equal("error_restoring", _engine.Volumes.Get(restoring.VolumeId).Status);
        Assert.Throws<CinderBackupException>(() => _engine.Backups.Get(deleting.Id));
    }

    [Fact]
    public void ALiveOwnerIsLeftAlone()
    {
        Volume("v");
        var creating = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "v", Name = "c" });
        using (var other = EngineFactory.Open(_home))
        {
            Assert.Equal("creating", other.Backups.Get(creating.Id).Status);
        }
        Assert.Equal("backing-up", _engine.Volumes.Get("v").Status);
    }

    [Fact]
    public void CreateFromBackupWithSizeAndZone()
    {
        Volume("v");
        var b = _engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "b", AvailabilityZone = "az_central" });
        Assert.Equal("az_central", b.AvailabilityZone);
        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Restore("b", name: "x", sizeGiB: 0));
        Assert.Contains("must be an integer and greater than 0", e.Message);
        var r = _engine.Backups.Restore("b", name: "edge", availabilityZone: "az_2", sizeGiB: 3);
        var v = _engine.Volumes.Get(r.VolumeId);
        Assert.Equal(("edge", "az_2", 3), (v.Name, v.AvailabilityZone, v.Size));
    }

    [Fact]
    public void EventsAreLoggedWithCindersNames()
    {
        Volume("v");
        var b = _engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "b" });
        _engine.Backups.Restore("b");
        _engine.Backups.Delete("b");
        var lines = File.ReadAllLines(Path.Combine(_home.Home, "cinder-backup.log")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var events = lines.Select(l => l.GetProperty("event_type").GetString()).ToList();
        Assert.Equal(new[] { "backup.create.start", "backup.createprogress", "backup.create.end", "backup.restore.start", "backup.restore.end", "backup.delete.start", "backup.delete.end" }, events);
        var progress = lines.Single(l => l.GetProperty("event_type").GetString() == "backup.createprogress");
        Assert.Equal(100.0, progress.GetProperty("backup_percent").GetDouble());
        Assert.All(lines, l => Assert.Equal(b.Id, l.GetProperty("backup_id").GetString()));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_home.Home, "cinder-backup.log")));
    }

    [Fact]
    public void BackupsMadeAsTheVolumeOwnerBelongToTheOwnersProject()
    {
        using var owner = EngineFactory.Open(_home, "demo", "alice", admin: false);
        owner.Volumes.Create("web01", 1);
        // An admin backing up another project's volume as itself: the backup is the admin's, hidden from the owner.
        var hidden = _engine.Backups.Create(new BackupCreateOptions { Volume = owner.Volumes.Get("web01").Id, Name = "by-admin" });
        Assert.Equal("default", hidden.ProjectId);
        Assert.Empty(owner.Backups.List());
        // With the owner's identity (per-call identity), the owner sees it.
        using var asOwner = EngineFactory.Open(_home, "demo", "alice");
        var visible = asOwner.Backups.Create(new BackupCreateOptions { Volume = "web01", Name = "as-owner" });
        Assert.Equal(("demo", "alice"), (visible.ProjectId, visible.UserId));
        Assert.Single(owner.Backups.List());
    }

    [Fact]
    public void ParentSelectionFollowsDataTimestamps()
    {
        // Cinder's example (api.py): a backup at 8:00, a snapshot at 8:10, a backup at 8:20. An incremental of
        // the snapshot takes the 8:00 backup as parent, and its own data timestamp is 8:10.
        Volume("v");
        var at0800 = _engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "8:00" });
        var at0810 = _engine.Snapshots.Create("v", "8:10");
        var at0820 = _engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "8:20" });
        var fromSnapshot = _engine.Backups.Create(new BackupCreateOptions { Volume = "v", Snapshot = "8:10", Incremental = true, Name = "inc-of-snapshot" });
        Assert.Equal(at0800.Id, fromSnapshot.ParentId);
        Assert.Equal(at0810.CreatedAt, fromSnapshot.DataTimestamp);
        // Without a snapshot the newest data wins, not the newest row: the snapshot's incremental (data 8:10) was
        // created last, but the 8:20 backup holds newer data.
        var inc = _engine.Backups.Create(new BackupCreateOptions { Volume = "v", Incremental = true, Name = "inc" });
        Assert.Equal(at0820.Id, inc.ParentId);

        var details = new List<string>();
        using var verbose = BackupEngine.Open(new EngineOptions { Environment = _home.Env, Detail = details.Add });
        verbose.Backups.Create(new BackupCreateOptions { Volume = "v", Incremental = true, Name = "inc2" });
        Assert.Contains(details, d => d.Contains($"parent {inc.Id}"));
        Assert.Contains(details, d => d.Contains("container") && d.Contains("prefix"));
    }
}
