namespace CinderBackup.Engine.Tests.Ceph;

/// <summary><see cref="RbdToObjectStoreCases"/> on a Swift repository (a Swift all-in-one the test starts).</summary>
[Collection("ceph")]
public sealed class RbdToSwiftTests : RbdToObjectStoreCases, IClassFixture<SwiftFixture>
{
    private readonly SwiftServer _swift;

    public RbdToSwiftTests(CephFixture ceph, SwiftFixture swift)
        : base(ceph.Server) => _swift = swift.Server;

    protected override void Configure(string rbd) => SwiftHome.Configure(Home, _swift, SwiftHome.Container("rbd"), rbd);
}
