using System.Security.Cryptography;
using CinderBackup.Engine.Native.Ceph;

namespace CinderBackup.Engine.Tests.Ceph;

/// <summary>Writes into and hashes images of the test cluster's <c>volumes</c> pool, as client.admin.</summary>
internal static class RbdTestImages
{
    public static void Write(CephServer ceph, string image, Action<RbdImage> write)
    {
        using var cluster = RadosCluster.Connect(ceph.ConfPath, "admin");
        using var pool = cluster.OpenPool("volumes");
        using var i = pool.OpenImage(image);
        write(i);
        i.Flush();
    }

    /// <summary>The SHA-256 of the first <paramref name="length"/> bytes of an image.</summary>
    public static string Sha(CephServer ceph, string image, long length)
    {
        using var cluster = RadosCluster.Connect(ceph.ConfPath, "admin");
        using var pool = cluster.OpenPool("volumes");
        using var i = pool.OpenImage(image, readOnly: true);
        var buffer = new byte[length];
        for (var done = 0; done < length;)
        {
            done += i.Read(done, buffer.AsSpan(done));
        }
        return Convert.ToHexString(SHA256.HashData(buffer));
    }
}
