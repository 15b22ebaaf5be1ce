using System.Security.Cryptography;
using System.Text;
using CinderBackup.Engine.Native.Ceph;

namespace CinderBackup.Engine.Tests.Ceph;

/// <summary>The librados/librbd bindings against a real cluster: every call the repository and the RBD volumes use.</summary>
[Collection("ceph")]
public sealed class CephNativeTests
{
    private readonly CephServer _ceph;

    public CephNativeTests(CephFixture fixture) => _ceph = fixture.Server;

    private RadosCluster Connect() => RadosCluster.Connect(_ceph.ConfPath, "admin");

    [Fact]
    public void RadosObjectsWriteReadStatListRemove()
    {
        using var cluster = Connect();
        using var pool = cluster.OpenPool("backups");
        var name = "test." + Guid.NewGuid().ToString("N");
        Assert.Null(pool.ObjectSize(name));
        Assert.Null(pool.ReadObject(name, 1 << 20));
        pool.WriteObject(name, Encoding.UTF8.GetBytes("{\"version\": 2}"));
        Assert.Equal(14, pool.ObjectSize(name));
        pool.WriteObject(name, "abc"u8, 14);
        Assert.Equal("{\"version\": 2}abc", Encoding.UTF8.GetString(pool.ReadObject(name, 1 << 20)!));
        Assert.Contains(name, pool.ListObjects());
        Assert.Throws<InvalidDataException>(() => pool.ReadObject(name, 4));
        Assert.True(pool.RemoveObject(name));
        Assert.False(pool.RemoveObject(name));
        // The same object as the rados CLI sees it.
        pool.WriteObject(name, "x"u8);
        Assert.Contains(name, _ceph.Rados("-p", "backups", "ls"));
        pool.RemoveObject(name);
    }

    [Fact]
    public void PoolsAreCreatedLookedUpAndRefusedByName()
    {
        using var cluster = Connect();
        var name = "p" + Guid.NewGuid().ToString("N")[..8];
        Assert.False(cluster.PoolExists(name));
        var missing = Assert.Throws<CephException>(() => cluster.OpenPool(name));
        Assert.True(missing.NotFound);
        Assert.Contains($"pool '{name}'", missing.Message);
        cluster.CreatePool(name);
        Assert.True(cluster.PoolExists(name));
        Assert.Contains("rbd", _ceph.Ceph("osd", "pool", "application", "get", name));
        cluster.MonCommand($"{{\"prefix\": \"osd pool rm\", \"pool\": \"{name}\", \"pool2\": \"{name}\", \"yes_i_really_really_mean_it\": true}}");
        Assert.DoesNotContain(name, _ceph.Ceph("osd", "pool", "ls").Split('\n'));
    }

    [Fact]
    public void WrongUserOrConfIsRefusedWithTheReason()
    {
        var noConf = Assert.Throws<CephException>(() => RadosCluster.Connect("/nonexistent/ceph.conf", "admin"));
        Assert.Contains("/nonexistent/ceph.conf", noConf.Message);
        var badUser = Assert.Throws<CephException>(() => RadosCluster.Connect(_ceph.ConfPath, "nobody", timeoutSeconds: 5));
        Assert.Contains("client.nobody", badUser.Message);
    }

    [Fact]
    public void ImagesReadWriteParallelSnapshotsDiffDiscardRemove()
    {
        using var cluster = Connect();
        using var pool = cluster.OpenPool("volumes");
        var name = "img-" + Guid.NewGuid().ToString("N")[..8];
        const int MiB = 1 << 20;
        pool.CreateImage(name, 16 * MiB);
        Assert.Contains(name, pool.ListImages());
        var data = new byte[16 * MiB];
        new Random(5).NextBytes(data.AsSpan(0, 3 * MiB));
        using (var image = pool.OpenImage(name))
        {
            Assert.Equal(16 * MiB, image.Size);
            // Several threads on one open image, at their own offsets.
            Parallel.For(0, 3, i => image.Write(i * (long)MiB, data.AsSpan(i * MiB, MiB)));
            image.Flush();
            image.CreateSnapshot("s1");
            image.Write(10 * MiB, new byte[] { 1, 2, 3 });
            data[10 * MiB] = 1;
            data[10 * MiB + 1] = 2;
            data[10 * MiB + 2] = 3;
            image.Discard(MiB, MiB); // the middle MiB reads as zeros now
            image.CreateSnapshot("s2");
            Assert.Equal(new[] { "s1", "s2" }, image.Snapshots().Select(s => s.Name));
            Assert.All(image.Snapshots(), s => Assert.Equal(16 * MiB, s.Size));

            var all = image.Diff(null, 0, image.Size);
            Assert.Contains(all, e => e.Exists && e.Offset <= 10 * MiB && e.Offset + e.Length >= 10 * MiB + 3);
            Assert.Contains(all, e => e.Exists && e.Offset == 0);
            Assert.DoesNotContain(all, e => e.Exists && e.Offset >= 11 * MiB);
            var changed = image.Diff("s1", 0, image.Size);
            // librbd reports what changed at its own granularity (a discard under a snapshot is a zeroed extent that exists).
            Assert.Contains(changed, e => e.Offset <= 10 * MiB && e.Offset + e.Length >= 10 * MiB + 3);
            Assert.Contains(changed, e => e.Offset <= MiB && e.Offset + e.Length >= 2 * MiB);
            Assert.DoesNotContain(changed, e => e.Offset < MiB || (e.Offset >= 2 * MiB && e.Offset + e.Length <= 8 * MiB));
            Assert.True(changed.Sum(e => e.Length) <= 4 * MiB);

            var back = new byte[16 * MiB];
            Parallel.For(0, 16, i => Assert.Equal(MiB, image.Read(i * (long)MiB, back.AsSpan(i * MiB, MiB))));
            var expected = (byte[])data.Clone();
            Array.Clear(expected, MiB, MiB);
            Assert.Equal(SHA256.HashData(expected), SHA256.HashData(back));
            Assert.Throws<CephException>(() => image.Read(16 * MiB, new byte[10])); // past the end
        }
        using (var s1 = pool.OpenImage(name, "s1"))
        {
            var back = new byte[3 * MiB];
            s1.Read(0, back);
            Assert.Equal(SHA256.HashData(data.AsSpan(0, 3 * MiB)), SHA256.HashData(back));
            Assert.Throws<CephException>(() => s1.Write(0, new byte[1])); // a snapshot is read only
        }
        Assert.True(Assert.Throws<CephException>(() => pool.OpenImage(name, "nosuch")).NotFound);
        using (var image = pool.OpenImage(name))
        {
            image.Resize(20 * MiB);
            Assert.Equal(20 * MiB, image.Size);
            Assert.Equal(CephException.ENOTEMPTY, Assert.Throws<CephException>(() => pool.RemoveImage(name)).Errno);
            Assert.True(image.RemoveSnapshot("s1"));
            Assert.False(image.RemoveSnapshot("s1"));
            image.RemoveSnapshot("s2");
        }
        Assert.True(pool.RemoveImage(name));
        Assert.False(pool.RemoveImage(name));
        Assert.DoesNotContain(name, pool.ListImages());
    }
}
