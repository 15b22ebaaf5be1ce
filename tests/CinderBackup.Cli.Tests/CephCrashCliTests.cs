using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// kill -9 of a `cinder-backup` process running a backup to, or a restore from, a Ceph repository (issue 18, item 6), at
/// each of the Ceph data path's steps: the next process's start-up recovery leaves the catalog consistent, a backup
/// past its commit point (image + backup.&lt;bid&gt;.meta) is adopted, one before it is reset and its image, snapshot and
/// objects removed; the backup made before keeps verifying and restoring.
/// </summary>
public sealed class CephCrashCliTests : IClassFixture<CephCliFixture>, IDisposable
{
    private readonly CephServer _ceph;
    private readonly TempHome _home = new();

    public CephCrashCliTests(CephCliFixture fixture)
    {
        _ceph = fixture.Server;
        _home.WriteConfig($"backup_driver: ceph\nbackup_ceph_conf: {_ceph.ConfPath}\nbackup_ceph_user: admin\nbackup_ceph_pool: backups\n"
            + "backup_ceph_chunk_size: 1MiB\nbackup_workers: 2\nquota_backups: 100\n");
    }

    public void Dispose() => _home.Dispose();

    private BackupEngine Reopen(string what)
    {
        CliRunner.Settle(_home); // a killed process's watch on an image outlives it (~30 s)
        var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
        var backups = engine.Backups.List();
        Assert.All(backups, b => Assert.True(b.Status is "available" or "error", $"{what}: backup {b.Id} is {b.Status}"));
        Assert.All(engine.Volumes.List(), v => Assert.True(v.Status is "available" or "error" or "error_restoring", $"{what}: volume {v.Name} is {v.Status}"));
        // Every backup image in the pool belongs to an available backup.
        var images = _ceph.Rbd("ls", "backups").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var available = backups.Where(b => b.Status == "available").Select(b => $"volume-{b.VolumeId}.backup.{b.Id}").ToHashSet();
        Assert.All(images, i => Assert.True(available.Contains(i), $"{what}: stray image {i}"));
        var objects = _ceph.Rados("-p", "backups", "ls").Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(o => o.StartsWith("backup.", StringComparison.Ordinal));
        Assert.All(objects, o => Assert.True(backups.Any(b => b.Status == "available" && o.StartsWith($"backup.{b.Id}.", StringComparison.Ordinal)), $"{what}: stray object {o}"));
        return engine;
    }

    private (BlockVolume Volume, string Sha) Image(BackupEngine engine, string name, int seed)
    {
        var path = _home.File_(name + ".img");
        using (var fs = new FileStream(path, FileMode.Create))
        {
            fs.SetLength(8 << 20);
        }
        Disk.WriteRandom(path, 0, 3 << 20, seed);
        Disk.WriteRandom(path, 5 << 20, 2 << 20, seed + 1);
        return (engine.Volumes.Register(name, path), Disk.Sha256(path));
    }

    [Fact]
    public void CephBackupsAndRestoresKilledAtEachStepAreSettled()
    {
        VolumeBackup baseline;
        string source, sha;
        using (var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env }))
        {
            var (v, s) = Image(engine, "src", 1);
            (source, sha) = (v.Id, s);
            baseline = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "baseline" });
        }

        var n = 0;
        foreach (var point in new[]
        {
            "backup.prepared", "ceph.backup.piece#1", "ceph.backup.piece#4", "ceph.backup.data.written", "ceph.backup.snapshot.created",
            "backup.sha256file.staged", "backup.metadata.staged", "backup.metadata.committed", "backup.finished",
        })
        {
            n++;
            CliRunner.Crash(_home, point, "volume", "backup", "create", "--name", "crash-" + n, source);
            using var engine = Reopen(point);
            var b = engine.Backups.Get("crash-" + n);
            if (point is "backup.finished" or "backup.metadata.committed")
            {
                Assert.Equal("available", b.Status);
                Assert.True(engine.Backups.Verify(b.Id, deep: true).IsValid, point);
            }
            else
            {
                Assert.Equal(("error", "incomplete backup reset on manager restart"), (b.Status, b.FailReason));
            }
            Assert.Equal("available", engine.Volumes.Get(source).Status);
            engine.Backups.Delete(b.Id);
        }

        foreach (var point in new[] { "restore.prepared", "restore.chain.loaded", "restore.write#1", "restore.write#3", "restore.object.written", "restore.flushed", "restore.finished" })
        {
            n++;
            CliRunner.Crash(_home, point, "volume", "backup", "restore", "--name", "r" + n, baseline.Id);
            using var engine = Reopen(point);
            Assert.Equal("available", engine.Backups.Get(baseline.Id).Status);
            var target = engine.Volumes.Get("r" + n);
            Assert.Equal(point == "restore.finished" ? "available" : "error_restoring", target.Status);
            engine.Volumes.Delete(target.Id);
        }

        using (var engine = Reopen("the end"))
        {
            Assert.True(engine.Backups.Verify(baseline.Id, deep: true).IsValid);
            var r = engine.Backups.Restore(baseline.Id);
            var restored = engine.Volumes.Get(r.VolumeId).Path;
            var copy = _home.File_("prefix");
            using (var input = File.OpenRead(restored))
            using (var output = File.Create(copy))
            {
                var buffer = new byte[8 << 20];
                input.ReadExactly(buffer);
                output.Write(buffer);
            }
            Assert.Equal(sha, Disk.Sha256(copy));
        }
    }
}
