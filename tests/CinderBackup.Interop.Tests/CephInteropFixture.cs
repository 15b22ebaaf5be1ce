namespace CinderBackup.Interop.Tests;

/// <summary>One Ceph cluster for the Ceph interoperability tests, removed at the end, pass or fail.</summary>
public sealed class CephInteropFixture : IDisposable
{
    public CephServer Server { get; } = new(memstoreBytes: 768L << 20);

    public void Dispose() => Server.Dispose();
}
