using System.Security.Cryptography;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Native.Ceph;

namespace CinderBackup.Engine.Tests.Ceph;

/// <summary>RBD volumes (issue 18, item 3) backed up to a posix repository, against a real one-node cluster.</summary>
[Collection("ceph")]
public sealed class RbdVolumeTests : IDisposable
{
    private const long MiB = 1 << 20;
    private const long Length = 64 * MiB;
    private readonly CephServer _ceph;
    private readonly TempHome _home = new();

    public RbdVolumeTests(CephFixture fixture) => _ceph = fixture.Server;

    public void Dispose() => _home.Dispose();

    private BackupEngine Open()
    {
        _home.WriteConfig($"backup_file_size: 4MiB\nrbd_pool: volumes\nrbd_ceph_conf: {_ceph.ConfPath}\nrbd_user: admin\nquota_volumes: -1\n");
        return EngineFactory.Open(_home, "p1", "u1", admin: true);
    }

    /// <summary>A 64 MiB image with 4 MiB of random data at 0 and 1 MiB at 40 MiB; the rest unallocated.</summary>
    private string NewImage()
    {
        var name = "img-" + Guid.NewGuid().ToString("N")[..8];
        _ceph.Rbd("create", "--size", "64M", "volumes/" + name);
        Write(name, 0, Random(4 * MiB, 1));
        Write(name, 40 * MiB, Random(MiB, 2));
        return name;
    }

    private static byte[] Random(long length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private void Write(string image, long offset, byte[] data) => RbdTestImages.Write(_ceph, image, i => i.Write(offset, data));

    private string Sha(string image, long length = Length) => RbdTestImages.Sha(_ceph, image, length);

    private string Snapshots(string image) => _ceph.Rbd("snap", "ls", "volumes/" + image);

    private static string ImageOf(BlockVolume v) => v.Path["rbd:volumes/".Length..];

    [Fact]
    public void RegisteredRbdVolumeBacksUpAndRestoresToANewRbdVolumeByteIdenticalAndTheIncrementalReadsOnlyTheChange()
    {
        using var engine = Open();
        var image = NewImage();
        var v = engine.Volumes.RegisterRbd("rbdsrc", "volumes/" + image);
        Assert.Equal("rbd-registered", v.Backend);
        Assert.Equal($"rbd:volumes/{image}", v.Path);
        Assert.Equal(Length, v.SizeBytes);
        var sha0 = Sha(image);

        var full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "full" });
        Assert.Equal("available", full.Status);
        Assert.Matches($"backup\\.{full.Id}\\.snap\\.", Snapshots(image));
        Assert.Equal(Length, full.BytesRead);

        // 64 KiB of new data in a region that was a hole, and 4 KiB over existing data.
        Write(image, 10 * MiB, Random(64 * 1024, 3));
        Write(image, MiB, Random(4096, 4));
        var sha1 = Sha(image);
        var inc = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "inc", Incremental = true });
        Assert.True(inc.IsIncremental);
        // Only what rbd_diff_iterate2 reports changed was read (to hash it, then the changed blocks again to store them),
        // not the 64 MiB volume. librbd reports an object that is new since the snapshot from its start to its end
        // (here 2 MiB + 64 KiB of the object at 8 MiB), an older one exactly (the 4 KiB, one 32 KiB block).
        Assert.True(inc.BytesRead is > 0 and < 4 * MiB, $"bytes_read {inc.BytesRead}");
        Assert.Equal(3 * 32 * 1024, inc.BytesChanged);
        var snaps = Snapshots(image);
        Assert.Matches($"backup\\.{inc.Id}\\.snap\\.", snaps);
        Assert.DoesNotContain($"backup.{full.Id}.snap.", snaps); // kept only until the next backup existed

        // Restore the chain and the full backup into new RBD volumes made in rbd_pool.
        var target = engine.Volumes.Create("rbddst", 1, rbd: true);
        Assert.Equal("rbd", target.Backend);
        Assert.Equal($"rbd:volumes/volume-{target.Id}", target.Path);
        Assert.Contains($"volume-{target.Id}", _ceph.Rbd("ls", "volumes").Split('\n'));
        engine.Backups.Restore(inc.Id, target.Id);
        Assert.Equal(sha1, Sha(ImageOf(target)));
        Assert.True(engine.Backups.Verify(inc.Id, deep: true).IsValid);
        var older = engine.Volumes.Create("rbdold", 1, rbd: true);
        engine.Backups.Restore(full.Id, older.Id);
        Assert.Equal(sha0, Sha(ImageOf(older)));
        // Over an existing RBD volume: the newer data is replaced, the excess zeroed.
        Write(ImageOf(older), 100 * MiB, Random(4096, 5));
        engine.Backups.Restore(inc.Id, older.Id);
        Assert.Equal(sha1, Sha(ImageOf(older)));
        Assert.Equal(Sha(ImageOf(target), 128 * MiB), Sha(ImageOf(older), 128 * MiB));

        // Deleting a volume made in rbd_pool removes its image; a registered image stays, without our snapshots.
        engine.Volumes.Delete(target.Id);
        engine.Volumes.Delete(older.Id);
        Assert.DoesNotContain($"volume-{target.Id}", _ceph.Rbd("ls", "volumes").Split('\n'));
        engine.Backups.Delete(inc.Id);
        engine.Backups.Delete(full.Id);
        engine.Volumes.Delete(v.Id);
        Assert.Contains(image, _ceph.Rbd("ls", "volumes").Split('\n'));
        Assert.DoesNotContain("backup.", Snapshots(image));
        Assert.Equal(sha1, Sha(image));
    }

    [Fact]
    public void WhenThePreviousSnapshotIsGoneTheIncrementalReadsEverythingAndStillRestores()
    {
        using var engine = Open();
        var image = NewImage();
        var v = engine.Volumes.RegisterRbd("rbdgone", "volumes/" + image);
        var full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
        var snap = Snapshots(image).Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(p => p.Length > 1 && p[1].StartsWith("backup.", StringComparison.Ordinal))[1];
        _ceph.Rbd("snap", "rm", $"volumes/{image}@{snap}");
        Write(image, 20 * MiB, Random(4096, 6));
        var details = new List<string>();
        var inc = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
        Assert.Equal(Length, inc.BytesRead); // a full read, compared block by block with the parent's list
        Assert.Equal(32 * 1024, inc.BytesChanged);
        var target = engine.Volumes.Create("gone-dst", 1, rbd: true);
        engine.Backups.Restore(inc.Id, target.Id);
        Assert.Equal(Sha(image), Sha(ImageOf(target)));
        _ = full;
        _ = details;
    }

    [Fact]
    public void RbdSnapshotsAreRbdSnapshotsAndBackUp()
    {
        using var engine = Open();
        var v = engine.Volumes.Create("rbdsnap", 1, rbd: true);
        Write(ImageOf(v), 0, Random(MiB, 7));
        var s = engine.Snapshots.Create(v.Id, "s1");
        Assert.Equal($"rbd:volumes/volume-{v.Id}@snapshot-{s.Id}", s.Path);
        Assert.Contains($"snapshot-{s.Id}", Snapshots(ImageOf(v)));
        var sha = Sha(ImageOf(v), 2 * MiB);
        Write(ImageOf(v), 0, Random(MiB, 8)); // after the snapshot: not in its backup
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Snapshot = s.Id });
        var target = engine.Volumes.Create("snapdst", 1, rbd: true);
        engine.Backups.Restore(b.Id, target.Id);
        Assert.Equal(sha, Sha(ImageOf(target), 2 * MiB));
        engine.Snapshots.Delete(s.Id);
        Assert.DoesNotContain($"snapshot-{s.Id}", Snapshots(ImageOf(v)));
        engine.Backups.Delete(b.Id);
        engine.Volumes.Delete(v.Id);
        engine.Volumes.Delete(target.Id);
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("volumes", "it must be POOL/IMAGE")]
    [InlineData("volumes/", "it must be POOL/IMAGE")]
    [InlineData("/img", "it must be POOL/IMAGE")]
    [InlineData("volumes/a/b", "one '/'")]
    [InlineData("volumes/img@snap", "names a snapshot")]
    [InlineData("volumes/im g", "no spaces")]
    [InlineData("nopool/img", "Ceph pool 'nopool' does not exist")]
    [InlineData("volumes/noimage", "RBD image 'volumes/noimage' does not exist")]
    public void BadRbdSpecsAreRefusedNamingTheFaultAndRegisterNothing(string spec, string expected)
    {
        using var engine = Open();
        var e = Assert.Throws<CinderBackupException>(() => engine.Volumes.RegisterRbd("bad", spec));
        Assert.Equal(ErrorIds.InvalidPath, e.ErrorId);
        Assert.Contains(expected, e.Message);
        Assert.Empty(engine.Volumes.List());
    }

    [Fact]
    public void AnImageIsRegisteredOnceAndARegisteredImageIsNeverResized()
    {
        using var engine = Open();
        var image = NewImage();
        var v = engine.Volumes.RegisterRbd("once", "volumes/" + image);
        var again = Assert.Throws<CinderBackupException>(() => engine.Volumes.RegisterRbd("twice", "volumes/" + image));
        Assert.Contains("is already volume", again.Message);
        var grow = Assert.Throws<CinderBackupException>(() => engine.Volumes.Extend(v.Id, 2));
        Assert.Contains("registered RBD image", grow.Message);
        var ours = engine.Volumes.Create("grow", 1, rbd: true);
        engine.Volumes.Extend(ours.Id, 2);
        Assert.Contains("2 GiB", _ceph.Rbd("info", "volumes/" + ImageOf(ours)));
        engine.Volumes.Delete(ours.Id);
        engine.Volumes.Delete(v.Id);
    }
}
