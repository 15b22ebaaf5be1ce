using System.Security.Cryptography;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Native.Ceph;

namespace CinderBackup.Engine.Tests.Ceph;

/// <summary>
/// An RBD image whose changes are many small extents (every other 4 KiB block over some MiB): the incremental made with
/// a diff asked for in small windows (many librbd calls, extents cut at the windows' edges) reads, changes and stores
/// the same as with one window over the whole image, and restores byte-identically.
/// </summary>
[Collection("ceph")]
public sealed class RbdFragmentedDiffTests : IDisposable
{
    private const long MiB = 1 << 20;
    private const long Length = 32 * MiB;
    private readonly CephServer _ceph;
    private readonly TempHome _home = new();

    public RbdFragmentedDiffTests(CephFixture fixture) => _ceph = fixture.Server;

    public void Dispose() => _home.Dispose();

    /// <summary>Every other 4 KiB block of [offset, offset+length) written with random data.</summary>
    private void WriteEveryOtherBlock(string image, long offset, long length, int seed) => RbdTestImages.Write(_ceph, image, i =>
    {
        var random = new Random(seed);
        var block = new byte[4096];
        for (var at = offset; at < offset + length; at += 2 * block.Length)
        {
            random.NextBytes(block);
            i.Write(at, block);
        }
    });

    private string ImageSha(string image) => RbdTestImages.Sha(_ceph, image, Length);

    /// <summary>A full and an incremental of a fragmented image, with the diff asked for in windows of <paramref name="window"/>.</summary>
    private (VolumeBackup Full, VolumeBackup Inc, string Sha, string RestoredSha) Run(BackupEngine engine, long window)
    {
        var image = "frag-" + Guid.NewGuid().ToString("N")[..8];
        _ceph.Rbd("create", "--size", "32M", "volumes/" + image);
        var saved = RbdImage.DiffWindowBytes;
        RbdImage.DiffWindowBytes = window;
        try
        {
            WriteEveryOtherBlock(image, 0, 6 * MiB, 1);
            var v = engine.Volumes.RegisterRbd(image, "volumes/" + image);
            var full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = image + "-full" });
            // The change crosses the 1 MiB window edges at 13, 14, 15 ... MiB, and reaches into a region never written.
            WriteEveryOtherBlock(image, 12 * MiB + 4096, 8 * MiB, 2);
            var inc = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = image + "-inc", Incremental = true });
            var restored = engine.Backups.Restore(inc.Id);
            using var f = File.OpenRead(engine.Volumes.Get(restored.VolumeId).Path);
            var buffer = new byte[Length];
            f.ReadExactly(buffer);
            return (full, inc, ImageSha(image), Convert.ToHexString(SHA256.HashData(buffer)));
        }
        finally
        {
            RbdImage.DiffWindowBytes = saved;
        }
    }

    [Fact]
    public void SmallWindowsGiveTheSameIncrementalAsOneWindow()
    {
        _home.WriteConfig($"backup_file_size: 4MiB\nrbd_pool: volumes\nrbd_ceph_conf: {_ceph.ConfPath}\nrbd_user: admin\nquota_volumes: -1\nquota_backups: -1\n");
        using var engine = EngineFactory.Open(_home, "p1", "u1", admin: true);
        var one = Run(engine, 1L << 30);
        var small = Run(engine, MiB);
        foreach (var r in new[] { one, small })
        {
            Assert.Equal(r.Sha, r.RestoredSha);
            Assert.True(r.Inc.IsIncremental);
            // The changed 8 MiB hashed, then stored (read twice); not the 32 MiB volume.
            Assert.True(r.Inc.BytesRead is > 0 and <= 16 * MiB, $"bytes_read {r.Inc.BytesRead}");
            Assert.Equal(8 * MiB, r.Inc.BytesChanged); // every 32 KiB block of the 8 MiB changed
            Assert.True(engine.Backups.Verify(r.Inc.Id, deep: true).IsValid);
        }
        Assert.Equal((one.Full.BytesRead, one.Full.BytesChanged, one.Full.ObjectCount), (small.Full.BytesRead, small.Full.BytesChanged, small.Full.ObjectCount));
        Assert.Equal((one.Inc.BytesRead, one.Inc.BytesChanged, one.Inc.ObjectCount), (small.Inc.BytesRead, small.Inc.BytesChanged, small.Inc.ObjectCount));
    }
}
