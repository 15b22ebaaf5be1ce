using System.Security.Cryptography;
using System.Text.Json;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// kill -9 of a `cinder-backup` process backing an RBD volume up into a Ceph repository (issue 18): at each step of the
/// chain's data path (base image made, pieces shipped, base snapshot, hash list, meta object) the next process settles
/// the backup (adopted past its commit point, reset before it, its snapshot and objects removed), the base image keeps
/// every other backup's snapshot, and the next incremental, shipped onto a base whose head the killed one changed,
/// still restores byte-identical.
/// </summary>
public sealed class CephChainCrashCliTests : IClassFixture<CephCliFixture>, IDisposable
{
    private const long MiB = 1 << 20;
    private const long Length = 64 * MiB;
    private readonly CephServer _ceph;
    private readonly TempHome _home = new();

    public CephChainCrashCliTests(CephCliFixture fixture)
    {
        _ceph = fixture.Server;
        _home.WriteConfig($"backup_driver: ceph\nbackup_ceph_conf: {_ceph.ConfPath}\nbackup_ceph_user: admin\nbackup_ceph_pool: backups\n"
            + $"backup_ceph_chunk_size: 1MiB\nbackup_workers: 2\nquota_backups: -1\nquota_volumes: -1\nrbd_pool: volumes\nrbd_ceph_conf: {_ceph.ConfPath}\nrbd_user: admin\n");
    }

    public void Dispose() => _home.Dispose();

    private static string? BaseOf(string? serviceMetadata) =>
        serviceMetadata is null ? null : JsonDocument.Parse(serviceMetadata).RootElement.GetProperty("base").GetString();

    private BackupEngine Reopen(string what)
    {
        CliRunner.Settle(_home);
        var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
        var backups = engine.Backups.List();
        Assert.All(backups, b => Assert.True(b.Status is "available" or "error", $"{what}: backup {b.Id} is {b.Status}"));
        Assert.All(engine.Volumes.List(), v => Assert.True(v.Status is "available", $"{what}: volume {v.Name} is {v.Status}"));
        var available = backups.Where(b => b.Status == "available").ToList();
        // Every image is the base of an available backup, and every backup snapshot on it is an available backup's.
        foreach (var image in _ceph.Rbd("ls", "backups").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.True(available.Any(b => BaseOf(b.ServiceMetadata) == image), $"{what}: stray image {image}");
            foreach (var snap in Snapshots("backups", image))
            {
                Assert.True(available.Any(b => snap.StartsWith($"backup.{b.Id}.snap.", StringComparison.Ordinal)), $"{what}: stray snapshot {image}@{snap}");
            }
        }
        var objects = _ceph.Rados("-p", "backups", "ls").Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(o => o.StartsWith("backup.", StringComparison.Ordinal));
        Assert.All(objects, o => Assert.True(available.Any(b => o.StartsWith($"backup.{b.Id}.", StringComparison.Ordinal)), $"{what}: stray object {o}"));
        return engine;
    }

    private List<string> Snapshots(string pool, string image) =>
        _ceph.Rbd("snap", "ls", $"{pool}/{image}").Split('\n').Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length > 1).Select(p => p[1]).ToList();

    private void Write(string image, long offset, int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        _ceph.Put("volumes/" + image, Length, offset, data);
    }

    private string Sha(string image)
    {
        var file = _home.File_("export.img");
        File.Delete(file);
        _ceph.Rbd("export", "volumes/" + image, file);
        using var f = File.OpenRead(file);
        var buffer = new byte[Length];
        f.ReadExactly(buffer);
        return Convert.ToHexString(SHA256.HashData(buffer));
    }

    private static string FileSha(string path)
    {
        using var f = File.OpenRead(path);
        var buffer = new byte[Length];
        f.ReadExactly(buffer);
        return Convert.ToHexString(SHA256.HashData(buffer));
    }

    [Fact]
    public void ChainBackupsKilledAtEachStepAreSettledAndTheNextIncrementalStillRestores()
    {
        var image = "crash-" + Guid.NewGuid().ToString("N")[..8];
        _ceph.Rbd("create", "--size", "64M", "volumes/" + image);
        Write(image, 0, 4 << 20, 1);
        string volumeId, baseline;
        using (var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env }))
        {
            volumeId = engine.Volumes.RegisterRbd("src", "volumes/" + image).Id;
            // A full killed once its base image exists: the image goes with it.
            CliRunner.Crash(_home, "ceph.chain.base.created", "volume", "backup", "create", "--name", "crash-full", volumeId);
        }
        using (var engine = Reopen("ceph.chain.base.created"))
        {
            Assert.Equal("error", engine.Backups.Get("crash-full").Status);
            engine.Backups.Delete("crash-full");
            baseline = engine.Backups.Create(new BackupCreateOptions { Volume = volumeId, Name = "baseline" }).Id;
        }

        var n = 0;
        foreach (var point in new[] { "ceph.chain.piece#1", "ceph.backup.data.written", "ceph.backup.snapshot.created", "backup.metadata.staged", "backup.metadata.committed" })
        {
            n++;
            Write(image, (8 + n) * MiB, 256 * 1024, 10 + n); // shipped by the killed backup, and again by the next
            CliRunner.Crash(_home, point, "volume", "backup", "create", "--incremental", "--name", "crash-" + n, volumeId);
            using var engine = Reopen(point);
            var b = engine.Backups.Get("crash-" + n);
            if (point == "backup.metadata.committed")
            {
                Assert.Equal("available", b.Status);
                Assert.True(engine.Backups.Verify(b.Id, deep: true).IsValid, point);
            }
            else
            {
                Assert.Equal(("error", "incomplete backup reset on manager restart"), (b.Status, b.FailReason));
                engine.Backups.Delete(b.Id);
            }
            Write(image, (20 + n) * MiB, 4096, 30 + n);
            var sha = Sha(image);
            var next = engine.Backups.Create(new BackupCreateOptions { Volume = volumeId, Name = "next-" + n, Incremental = true });
            Assert.NotNull(next.ParentId);
            Assert.True(engine.Backups.Verify(next.Id, deep: true).IsValid, point);
            var restored = engine.Backups.Restore(next.Id);
            Assert.Equal(sha, FileSha(engine.Volumes.Get(restored.VolumeId).Path));
            engine.Volumes.Delete(restored.VolumeId);
            // Source snapshots of backups that are gone do not pile up.
            var live = engine.Backups.List().Select(x => x.Id).ToHashSet();
            Assert.All(Snapshots("volumes", image), s => Assert.Contains(s.Split('.')[1], live));
        }
        using (var engine = Reopen("the end"))
        {
            Assert.True(engine.Backups.Verify(baseline, deep: true).IsValid);
        }
    }
}
