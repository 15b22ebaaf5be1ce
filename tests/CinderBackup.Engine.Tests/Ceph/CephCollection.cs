namespace CinderBackup.Engine.Tests.Ceph;

[CollectionDefinition("ceph")]
public sealed class CephCollection : ICollectionFixture<CephFixture>
{
}
