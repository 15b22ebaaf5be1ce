namespace CinderBackup.Engine.Tests;

[CollectionDefinition("swift")]
public sealed class SwiftCollection : ICollectionFixture<SwiftFixture>
{
}
