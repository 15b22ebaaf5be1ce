using System.Security.Cryptography;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Native.Ceph;

namespace CinderBackup.Engine.Tests.Ceph;

/// <summary>
/// RBD volumes backed up into a Ceph repository in Cinder's layout (issue 18, items 2 and 3): one base image per chain,
/// one snapshot per backup on the source and on the base, only the change shipped; against a real one-node cluster.
/// </summary>
[Collection("ceph")]
public sealed class CephChainTests : IDisposable
{
    private const long MiB = 1 << 20;
    private const long Length = 64 * MiB;
    private readonly CephServer _ceph;
    private readonly TempHome _home = new();

    public CephChainTests(CephFixture fixture) => _ceph = fixture.Server;

    public void Dispose() => _home.Dispose();

    private BackupEngine Open(string extra = "")
    {
        CephHome.Configure(_home, _ceph, $"rbd_pool: volumes\nrbd_ceph_conf: {_ceph.ConfPath}\nrbd_user: admin\nquota_volumes: -1\nquota_backups: -1\n{extra}");
        return CephHome.Open(_home);
    }

    /// <summary>A registered 64 MiB image with 4 MiB of random data at 0 and 1 MiB at 40 MiB; the rest unallocated.</summary>
    private (BlockVolume Volume, string Image) NewVolume(BackupEngine engine)
    {
        var name = "chain-" + Guid.NewGuid().ToString("N")[..8];
        _ceph.Rbd("create", "--size", "64M", "volumes/" + name);
        Write("volumes", name, 0, Random(4 * MiB, 1));
        Write("volumes", name, 40 * MiB, Random(MiB, 2));
        var v = engine.Volumes.RegisterRbd(name, "volumes/" + name);
        return (v, name);
    }

    private static byte[] Random(long length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private void Write(string pool, string image, long offset, byte[] data)
    {
        using var cluster = RadosCluster.Connect(_ceph.ConfPath, "admin");
        using var p = cluster.OpenPool(pool);
        using var i = p.OpenImage(image);
        i.Write(offset, data);
        i.Flush();
    }

    private void Zero(string image, long offset, long length)
    {
        using var cluster = RadosCluster.Connect(_ceph.ConfPath, "admin");
        using var p = cluster.OpenPool("volumes");
        using var i = p.OpenImage(image);
        i.Discard(offset, length);
        i.Flush();
    }

    /// <summary>SHA-256 of the first <paramref name="length"/> bytes of an image (at a snapshot) or a file.</summary>
    private string Sha(string pool, string image, long length = Length, string? snapshot = null)
    {
        using var cluster = RadosCluster.Connect(_ceph.ConfPath, "admin");
        using var p = cluster.OpenPool(pool);
        using var i = p.OpenImage(image, snapshot, readOnly: true);
        var buffer = new byte[length];
        for (var done = 0; done < length;)
        {
            done += i.Read(done, buffer.AsSpan(done));
        }
        return Convert.ToHexString(SHA256.HashData(buffer));
    }

    private static string FileSha(string path, long length = Length)
    {
        using var f = File.OpenRead(path);
        var buffer = new byte[length];
        f.ReadExactly(buffer);
        return Convert.ToHexString(SHA256.HashData(buffer));
    }

    private List<string> SnapshotNames(string pool, string image) =>
        _ceph.Rbd("snap", "ls", $"{pool}/{image}").Split('\n').Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length > 1).Select(p => p[1]).ToList();

    private List<string> Images(string pool = "backups") => _ceph.Rbd("ls", pool).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    private static string Base(string volumeId, string backupId) => $"volume-{volumeId}.backup.{backupId}";

    [Fact]
    public void AChainOfThreeIsOneBaseImageWithASnapshotPerBackupReadsOnlyTheChangeAndRestoresEachPoint()
    {
        using var engine = Open();
        var (v, image) = NewVolume(engine);
        var sha0 = Sha("volumes", image);

        var a = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "a" });
        var baseName = Base(v.Id, a.Id);
        Assert.Equal($"{{\"base\": \"{baseName}\"}}", a.ServiceMetadata);
        Assert.Contains(baseName, Images());
        Assert.Contains("1 GiB", _ceph.Rbd("info", "backups/" + baseName));
        var snapA = Assert.Single(SnapshotNames("backups", baseName));
        Assert.Matches($"^backup\\.{a.Id}\\.snap\\.\\d+\\.\\d+$", snapA);
        Assert.Contains(snapA, SnapshotNames("volumes", image)); // the same name on the source and on the base
        Assert.True(a.BytesRead is >= 5 * MiB and < 8 * MiB, $"bytes_read {a.BytesRead}"); // the allocated extents only

        Write("volumes", image, 10 * MiB, Random(64 * 1024, 3));
        Write("volumes", image, MiB, Random(4096, 4));
        var sha1 = Sha("volumes", image);
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "b", Incremental = true });
        Assert.Equal(a.Id, b.ParentId);
        Assert.Equal(a.ServiceMetadata, b.ServiceMetadata); // as Cinder: every backup of the chain names the first's base
        Assert.True(b.BytesRead is > 0 and < 4 * MiB, $"bytes_read {b.BytesRead}");

        Zero(image, 40 * MiB, MiB);
        Write("volumes", image, 30 * MiB, Random(8192, 5));
        var sha2 = Sha("volumes", image);
        var c = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "c", Incremental = true });
        Assert.Equal(b.Id, c.ParentId);
        Assert.Equal(a.ServiceMetadata, c.ServiceMetadata);
        Assert.True(c.BytesRead is > 0 and < 4 * MiB, $"bytes_read {c.BytesRead}");

        Assert.Single(Images(), i => i.StartsWith($"volume-{v.Id}.", StringComparison.Ordinal)); // one image for the chain
        var snaps = SnapshotNames("backups", baseName);
        Assert.Equal(3, snaps.Count);
        foreach (var (backup, sha) in new[] { (a, sha0), (b, sha1), (c, sha2) })
        {
            var snap = Assert.Single(snaps, s => s.StartsWith($"backup.{backup.Id}.snap.", StringComparison.Ordinal));
            Assert.Equal(sha, Sha("backups", baseName, snapshot: snap));
            Assert.Contains(snap, SnapshotNames("volumes", image));
            var deep = engine.Backups.Verify(backup.Id, deep: true);
            Assert.True(deep.IsValid, deep.Problem);
            // Into a new file volume and into a new RBD volume: byte-identical at each point.
            var restored = engine.Backups.Restore(backup.Id);
            Assert.Equal(sha, FileSha(engine.Volumes.Get(restored.VolumeId).Path));
            var target = engine.Volumes.Create("dst-" + backup.Name, 1, rbd: true);
            engine.Backups.Restore(backup.Id, target.Id);
            Assert.Equal(sha, Sha("volumes", $"volume-{target.Id}"));
            engine.Volumes.Delete(target.Id);
        }
    }

    [Fact]
    public void ADamagedBlockOfTheBaseImageIsFoundByDeepVerifyAndRefusedByRestore()
    {
        using var engine = Open();
        var (v, image) = NewVolume(engine);
        var a = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
        Write("volumes", image, MiB, Random(4096, 4));
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
        var baseName = Base(v.Id, a.Id);
        Assert.True(engine.Backups.Verify(b.Id, deep: true).IsValid);

        // Damage the first RBD object of the base's head behind librbd's back: b's snapshot shares it (nothing was written
        // after b), a's has its own copy (b's write made one).
        var prefix = _ceph.Rbd("info", "backups/" + baseName).Split('\n').Select(l => l.Trim())
            .First(l => l.StartsWith("block_name_prefix:", StringComparison.Ordinal))["block_name_prefix:".Length..].Trim();
        var junk = _home.File_("junk.bin");
        File.WriteAllBytes(junk, Random(4096, 99));
        _ceph.Rados("-p", "backups", "put", "--offset", "65536", $"{prefix}.0000000000000000", junk);

        var quick = engine.Backups.Verify(b.Id);
        Assert.True(quick.IsValid, quick.Problem); // the documents are intact; only a deep verify reads the data
        var deep = engine.Backups.Verify(b.Id, deep: true);
        Assert.False(deep.IsValid);
        Assert.Contains("offset 65536", deep.Problem);
        Assert.Contains($"'backups/{baseName}'@backup.{b.Id}.snap.", deep.Problem);
        Assert.True(engine.Backups.Verify(a.Id, deep: true).IsValid);
        var target = engine.Volumes.Create("dst", 1, rbd: true);
        Assert.ThrowsAny<Exception>(() => engine.Backups.Restore(b.Id, target.Id));
    }

    [Fact]
    public void WhenTheParentsSnapshotIsGoneOnTheSourceOrTheBaseTheBackupBecomesFullAsCindersDoes()
    {
        using var engine = Open();
        var (v, image) = NewVolume(engine);
        var a = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
        var snapA = SnapshotNames("volumes", image).Single(s => s.StartsWith($"backup.{a.Id}.", StringComparison.Ordinal));
        _ceph.Rbd("snap", "rm", $"volumes/{image}@{snapA}");
        Write("volumes", image, 20 * MiB, Random(4096, 6));
        var sha1 = Sha("volumes", image);
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
        Assert.Null(b.ParentId);
        Assert.Equal($"{{\"base\": \"{Base(v.Id, b.Id)}\"}}", b.ServiceMetadata);
        Assert.Contains(Base(v.Id, b.Id), Images());

        // Gone on the base this time.
        var snapB = SnapshotNames("backups", Base(v.Id, b.Id)).Single();
        _ceph.Rbd("snap", "rm", $"backups/{Base(v.Id, b.Id)}@{snapB}");
        Write("volumes", image, 24 * MiB, Random(4096, 7));
        var sha2 = Sha("volumes", image);
        var c = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
        Assert.Null(c.ParentId);
        Assert.Equal($"{{\"base\": \"{Base(v.Id, c.Id)}\"}}", c.ServiceMetadata);
        var target = engine.Volumes.Create("dst", 1, rbd: true);
        engine.Backups.Restore(c.Id, target.Id);
        Assert.Equal(sha2, Sha("volumes", $"volume-{target.Id}"));
        Assert.NotEqual(sha1, sha2);
    }

    [Fact]
    public void DeleteRemovesEachBackupsSnapshotNewestFirstAndTheBaseWithTheLastAsCindersDoes()
    {
        using var engine = Open();
        var (v, image) = NewVolume(engine);
        var a = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
        Write("volumes", image, MiB, Random(4096, 4));
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
        Write("volumes", image, 2 * MiB, Random(4096, 5));
        var sha2 = Sha("volumes", image);
        var c = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
        var baseName = Base(v.Id, a.Id);

        // Cinder's API: a backup with incrementals is not deleted.
        var refused = Assert.Throws<CinderBackup.Engine.Errors.CinderBackupException>(() => engine.Backups.Delete(b.Id));
        Assert.Contains("Incremental backups exist for this backup.", refused.Message);

        engine.Backups.Delete(c.Id);
        Assert.DoesNotContain(SnapshotNames("backups", baseName), s => s.Contains(c.Id, StringComparison.Ordinal));
        Assert.Equal(2, SnapshotNames("backups", baseName).Count);
        Assert.DoesNotContain($"backup.{c.Id}.meta", _ceph.Rados("-p", "backups", "ls"));
        // The next incremental of b ships onto a head that still holds c's data: it is b's state plus the change.
        Write("volumes", image, 3 * MiB, Random(4096, 6));
        var sha3 = Sha("volumes", image);
        Assert.NotEqual(sha2, sha3);
        var d = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
        Assert.Equal(b.Id, d.ParentId);
        var target = engine.Volumes.Create("dst", 1, rbd: true);
        engine.Backups.Restore(d.Id, target.Id);
        Assert.Equal(sha3, Sha("volumes", $"volume-{target.Id}"));

        engine.Backups.Delete(d.Id);
        engine.Backups.Delete(b.Id);
        Assert.Contains(baseName, Images()); // a's snapshot is still on it
        engine.Backups.Delete(a.Id);
        Assert.DoesNotContain(baseName, Images()); // the base goes with its last backup snapshot
        Assert.DoesNotContain($"backup.{a.Id}.", _ceph.Rados("-p", "backups", "ls"));
    }

    [Fact]
    public void BackupCephMaxSnapshotsKeepsOnlyTheNewestSourceSnapshotsAndAnOlderParentBecomesAFullBackup()
    {
        using var engine = Open("backup_ceph_max_snapshots: 2");
        var (v, image) = NewVolume(engine);
        var a = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
        var c = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
        var onSource = SnapshotNames("volumes", image);
        Assert.Equal(2, onSource.Count);
        Assert.DoesNotContain(onSource, s => s.Contains(a.Id, StringComparison.Ordinal)); // the oldest went
        Assert.Equal(3, SnapshotNames("backups", Base(v.Id, a.Id)).Count); // the base keeps every backup
        Assert.True(engine.Backups.Verify(a.Id, deep: true).IsValid);

        // c and b deleted: the next backup's parent is a, whose source snapshot is gone, so it is a full one.
        engine.Backups.Delete(c.Id);
        engine.Backups.Delete(b.Id);
        var d = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
        Assert.Null(d.ParentId);
        Assert.Equal($"{{\"base\": \"{Base(v.Id, d.Id)}\"}}", d.ServiceMetadata);

        // Unlimited (0, the default) keeps them all.
        using var unlimited = Open();
        var (w, other) = NewVolume(unlimited);
        for (var i = 0; i < 3; i++)
        {
            unlimited.Backups.Create(new BackupCreateOptions { Volume = w.Id, Incremental = i > 0 });
        }
        Assert.Equal(3, SnapshotNames("volumes", other).Count);
    }
}
