namespace CinderBackup.Engine.Tests;

/// <summary>A <see cref="TempHome"/> configured for a Swift repository on the local all-in-one, with small objects.</summary>
internal static class SwiftHome
{
    /// <summary>A container name of its own for one test.</summary>
    public static string Container(string what) => $"cbt-{what}-{Guid.NewGuid():N}";

    /// <summary>single_user tempauth (v1) unless <paramref name="extra"/> says otherwise; extra lines win.</summary>
    public static TempHome Configure(TempHome home, SwiftServer swift, string container, string extra = "")
    {
        var lines = new List<string>
        {
            "backup_driver: swift",
            "backup_swift_auth: single_user",
            $"backup_swift_auth_url: {swift.AuthUrl}",
            $"backup_swift_user: {SwiftServer.User}",
            $"backup_swift_key: {SwiftServer.Key}",
            $"backup_swift_container: {container}",
            "backup_swift_object_size: 1MiB",
            "backup_swift_retry_attempts: 2",
            "backup_swift_retry_backoff: 0",
            "backup_swift_timeout: 10",
        };
        foreach (var line in extra.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            lines.RemoveAll(l => l.Split(':')[0] == line.Split(':')[0]);
            lines.Add(line);
        }
        home.WriteConfig(string.Join("\n", lines) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(home.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return home;
    }
}
