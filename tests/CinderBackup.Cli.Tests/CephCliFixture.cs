namespace CinderBackup.Cli.Tests;

/// <summary>One Ceph cluster for the Ceph CLI tests, removed at the end, pass or fail.</summary>
public sealed class CephCliFixture : IDisposable
{
    public CephServer Server { get; } = new(memstoreBytes: 768L << 20);

    public void Dispose() => Server.Dispose();
}
