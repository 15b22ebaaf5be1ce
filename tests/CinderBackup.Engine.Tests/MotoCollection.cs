namespace CinderBackup.Engine.Tests;

[CollectionDefinition("moto")]
public sealed class MotoCollection : ICollectionFixture<MotoFixture>
{
}
