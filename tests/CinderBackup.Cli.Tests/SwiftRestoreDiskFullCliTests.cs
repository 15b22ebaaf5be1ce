namespace CinderBackup.Cli.Tests;

/// <summary><see cref="RestoreDiskFullCases"/> on a Swift repository (a real Swift all-in-one the test starts).</summary>
public sealed class SwiftRestoreDiskFullCliTests : RestoreDiskFullCases, IClassFixture<SwiftServer>
{
    private readonly SwiftServer _swift;

    public SwiftRestoreDiskFullCliTests(SwiftServer swift) => _swift = swift;

    protected override string RepositoryConfig => string.Join("\n",
        "backup_driver: swift",
        "backup_swift_auth: single_user",
        $"backup_swift_auth_url: {_swift.AuthUrl}",
        $"backup_swift_user: {SwiftServer.User}",
        $"backup_swift_key: {SwiftServer.Key}",
        "backup_swift_container: full-" + Guid.NewGuid().ToString("N"),
        "backup_swift_object_size: 4MiB",
        "");
}
