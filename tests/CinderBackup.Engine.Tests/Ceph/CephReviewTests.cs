using CinderBackup.Engine.Api;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.Repositories.Ceph;

namespace CinderBackup.Engine.Tests.Ceph;

/// <summary>Issue 18's Ceph review findings: the hash list in parts, connections shut down, linear extent lookup, one marker.</summary>
[Collection("ceph")]
public sealed class CephReviewTests : IDisposable
{
    private const long MiB = 1 << 20;
    private readonly CephServer _ceph;
    private readonly TempHome _home = new();

    public CephReviewTests(CephFixture fixture) => _ceph = fixture.Server;

    public void Dispose() => _home.Dispose();

    [Fact]
    public void AHashListOverOnePartSpansSeveralObjectsThatVerifyRestoreAndDeleteRead()
    {
        var before = CephHashList.PartBytes;
        CephHashList.PartBytes = 1 * MiB; // a 1 GiB image's list is ~2.3 MB: three parts
        try
        {
            CephHome.Configure(_home, _ceph);
            using var engine = CephHome.Open(_home);
            var v = S3Home.Volume(engine, _home, "cephparts");
            var length = new FileInfo(v.Path).Length;
            var sha = S3Home.Sha(v.Path, length);
            var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
            var objects = Objects();
            Assert.Contains($"backup.{b.Id}.sha256file", objects);
            Assert.Contains($"backup.{b.Id}.sha256file.1", objects);
            Assert.Contains($"backup.{b.Id}.sha256file.2", objects);
            Assert.DoesNotContain($"backup.{b.Id}.sha256file.3", objects);
            Assert.Equal(MiB, long.Parse(_ceph.Rados("-p", "backups", "stat", $"backup.{b.Id}.sha256file").Split(' ').Last().Trim()));

            var deep = engine.Backups.Verify(b.Id, deep: true);
            Assert.True(deep.IsValid, deep.Problem);
            var restored = engine.Backups.Restore(b.Id);
            Assert.Equal(sha, S3Home.Sha(engine.Volumes.Get(restored.VolumeId).Path, length));

            // A lost last part: the list is found short or changed, never read as whole.
            var last = _home.File_("last.part");
            _ceph.Rados("-p", "backups", "get", $"backup.{b.Id}.sha256file.2", last);
            _ceph.Rados("-p", "backups", "rm", $"backup.{b.Id}.sha256file.2");
            var check = engine.Backups.Verify(b.Id, deep: true);
            Assert.False(check.IsValid);
            Assert.Contains($"backup.{b.Id}.sha256file", check.Problem);
            _ceph.Rados("-p", "backups", "put", $"backup.{b.Id}.sha256file.2", last);
            Assert.True(engine.Backups.Verify(b.Id, deep: true).IsValid);

            engine.Backups.Delete(b.Id);
            Assert.DoesNotContain(Objects(), o => o.StartsWith($"backup.{b.Id}.", StringComparison.Ordinal));
        }
        finally
        {
            CephHashList.PartBytes = before;
        }
    }

    [Fact]
    public void ConnectionsAreSharedAndShutDownSoOperationsLeakNoThreads()
    {
        CephHome.Configure(_home, _ceph);
        using var engine = CephHome.Open(_home);
        var v = S3Home.Volume(engine, _home, "cephconn");
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
        var linger = CephConnections.Linger;
        try
        {
            // Shut down as soon as a call ends: every operation connects again, and nothing may stay behind.
            CephConnections.Linger = TimeSpan.Zero;
            CephConnections.CloseIdle();
            Assert.True(engine.Backups.Verify(b.Id).IsValid);
            var threads = Threads();
            var connects = CephConnections.Connects;
            for (var i = 0; i < 25; i++)
            {
                Assert.True(engine.Backups.Verify(b.Id).IsValid);
            }
            // A librados connection runs a dozen threads or more: 25 left open would be hundreds.
            Assert.True(Threads() < threads + 30, $"threads {threads} -> {Threads()}");
            Assert.True(CephConnections.Connects - connects >= 25, "each operation connected");
            Assert.Equal(0, CephConnections.OpenCount);

            // Lingering: one connection serves one operation after another.
            CephConnections.Linger = TimeSpan.FromSeconds(30);
            connects = CephConnections.Connects;
            for (var i = 0; i < 10; i++)
            {
                Assert.True(engine.Backups.Verify(b.Id).IsValid);
            }
            Assert.Equal(1, CephConnections.Connects - connects);
            Assert.Equal(1, CephConnections.OpenCount);
        }
        finally
        {
            CephConnections.Linger = linger;
            CephConnections.CloseIdle();
        }
        engine.Backups.Delete(b.Id);
    }

    [Fact]
    public void ConcurrentFirstBackupsIntoANewPoolAgreeOnOneRepositoryMarker()
    {
        CephHome.Configure(_home, _ceph);
        using var engine = CephHome.Open(_home);
        var pool = "markers" + Guid.NewGuid().ToString("N")[..6];
        _ceph.CreatePool(pool);
        const int racers = 8;
        for (var round = 0; round < 5; round++)
        {
            if (round > 0)
            {
                _ceph.Rados("-p", pool, "rm", "cinderbackup.repository");
            }
            var repositories = Enumerable.Range(0, racers).Select(_ => new RepositoryResolver(engine.Config).Default()).ToList();
            using var start = new Barrier(racers);
            var ids = new string[racers];
            var threads = Enumerable.Range(0, racers).Select(i => new Thread(() =>
            {
                Assert.Null(repositories[i].ReadIdentity(pool)); // connected, and the marker is not there yet
                start.SignalAndWait();
                ids[i] = repositories[i].Place(Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), pool, DateTime.UtcNow, "nova").RepositoryId!;
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.Single(ids.Distinct());
            Assert.Equal(ids[0], _ceph.Rados("-p", pool, "get", "cinderbackup.repository", "-").Trim());
        }
    }

    private static int Threads() => Directory.GetDirectories("/proc/self/task").Length;

    private string[] Objects() => _ceph.Rados("-p", "backups", "ls").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
