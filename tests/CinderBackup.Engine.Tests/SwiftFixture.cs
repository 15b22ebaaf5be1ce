namespace CinderBackup.Engine.Tests;

/// <summary>One Swift all-in-one shared by the tests of the "swift" collection (each test uses its own containers).</summary>
public sealed class SwiftFixture : IDisposable
{
    public SwiftServer Server { get; } = new();

    public void Dispose() => Server.Dispose();
}
