namespace CinderBackup.Engine.Tests.Ceph;

/// <summary><see cref="RbdToObjectStoreCases"/> on an S3 repository (moto_server).</summary>
[Collection("ceph")]
public sealed class RbdToS3Tests : RbdToObjectStoreCases, IClassFixture<MotoFixture>
{
    private readonly MotoServer _moto;

    public RbdToS3Tests(CephFixture ceph, MotoFixture moto)
        : base(ceph.Server) => _moto = moto.Server;

    protected override void Configure(string rbd) => S3Home.Configure(Home, _moto.Endpoint, S3Home.Bucket("rbd"), rbd);
}
