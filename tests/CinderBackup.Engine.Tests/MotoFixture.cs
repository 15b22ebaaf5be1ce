namespace CinderBackup.Engine.Tests;

/// <summary>One moto_server shared by the S3 tests of the "moto" collection (each test uses its own buckets).</summary>
public sealed class MotoFixture : IDisposable
{
    public MotoServer Server { get; } = new();

    public void Dispose() => Server.Dispose();
}
