using System.Security.Cryptography;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Native.Ceph;

namespace CinderBackup.Engine.Tests.Ceph;

/// <summary>
/// An RBD volume (issue 18, item 3) backed up to an object-store repository (S3, Swift; a derived class configures
/// which), against a real one-node cluster: a full and two incrementals, each restoring byte-identically, the
/// incrementals reading only what rbd_diff_iterate2 reports changed, not the volume.
/// </summary>
public abstract class RbdToObjectStoreCases : IDisposable
{
    private const long MiB = 1 << 20;
    private const long Length = 64 * MiB;
    private readonly CephServer _ceph;

    protected RbdToObjectStoreCases(CephServer ceph) => _ceph = ceph;

    protected TempHome Home { get; } = new();

    public void Dispose()
    {
        Home.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes the repository's config with <paramref name="rbd"/> (the RBD options) as extra lines.</summary>
    protected abstract void Configure(string rbd);

    private BackupEngine Open()
    {
        Configure($"backup_file_size: 4MiB\nrbd_pool: volumes\nrbd_ceph_conf: {_ceph.ConfPath}\nrbd_user: admin\nquota_volumes: -1\nquota_backups: -1\n");
        return EngineFactory.Open(Home, "p1", "u1", admin: true);
    }

    private void Write(string image, long offset, long length, int seed) => RbdTestImages.Write(_ceph, image, i =>
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        i.Write(offset, data);
    });

    private string ImageSha(string image) => RbdTestImages.Sha(_ceph, image, Length);

    private static string FileSha(string path)
    {
        using var f = File.OpenRead(path);
        var buffer = new byte[Length];
        f.ReadExactly(buffer);
        return Convert.ToHexString(SHA256.HashData(buffer));
    }

    [Fact]
    public void AFullAndTwoIncrementalsRestoreByteIdenticallyAndTheIncrementalsReadOnlyTheChange()
    {
        using var engine = Open();
        var image = "img-" + Guid.NewGuid().ToString("N")[..8];
        _ceph.Rbd("create", "--size", "64M", "volumes/" + image);
        Write(image, 0, 4 * MiB, 1);
        Write(image, 40 * MiB, MiB, 2);
        var v = engine.Volumes.RegisterRbd("rbdsrc", "volumes/" + image);
        var backups = new List<(VolumeBackup Backup, string Sha)>();

        var full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "full" });
        Assert.Equal("available", full.Status);
        Assert.Equal(Length, full.BytesRead);
        backups.Add((full, ImageSha(image)));

        // Each incremental: 64 KiB into a hole and 4 KiB over existing data (the 4 MiB objects librbd reports as changed
        // bound what is read: an object new since the snapshot is reported whole).
        foreach (var (hole, over, seed) in new[] { (10 * MiB, MiB, 3), (24 * MiB, 40 * MiB + 8192, 5) })
        {
            Write(image, hole, 64 * 1024, seed);
            Write(image, over, 4096, seed + 1);
            var inc = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "inc" + seed, Incremental = true });
            Assert.True(inc.IsIncremental);
            Assert.True(inc.BytesRead is > 0 and < 8 * MiB, $"bytes_read {inc.BytesRead} of a {Length}-byte volume");
            Assert.Equal(3 * 32 * 1024, inc.BytesChanged); // two 32 KiB blocks in the hole, one over the old data
            backups.Add((inc, ImageSha(image)));
        }

        foreach (var (backup, sha) in backups)
        {
            Assert.True(engine.Backups.Verify(backup.Id, deep: true).IsValid, backup.Name);
            var restored = engine.Backups.Restore(backup.Id);
            Assert.Equal(sha, FileSha(engine.Volumes.Get(restored.VolumeId).Path));
            engine.Volumes.Delete(restored.VolumeId);
        }
        for (var k = backups.Count - 1; k >= 0; k--)
        {
            engine.Backups.Delete(backups[k].Backup.Id);
        }
        engine.Volumes.Delete(v.Id);
    }
}
