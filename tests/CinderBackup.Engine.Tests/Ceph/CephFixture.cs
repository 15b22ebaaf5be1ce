namespace CinderBackup.Engine.Tests.Ceph;

/// <summary>One Ceph cluster (mon + memstore OSD, pools <c>backups</c> and <c>volumes</c>) shared by the "ceph" collection; removed at the end, pass or fail.</summary>
public sealed class CephFixture : IDisposable
{
    public CephServer Server { get; } = new(memstoreBytes: 768L << 20);

    public void Dispose() => Server.Dispose();
}
