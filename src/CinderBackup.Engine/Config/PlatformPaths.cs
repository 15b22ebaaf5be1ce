namespace CinderBackup.Engine.Config;

/// <summary>Default locations of the data directory and the configuration file on each platform.</summary>
public static class PlatformPaths
{
    public const string HomeVariable = "CINDERBACKUP_HOME";
    public const string ConfigVariable = "CINDERBACKUP_CONFIG";
    public const string ConfigFileName = "cinderbackup.yaml";

    /// <summary>
    /// <c>%LOCALAPPDATA%\CinderBackup</c> on Windows; otherwise <c>$XDG_DATA_HOME/cinderbackup</c>,
    /// else <c>~/.local/share/cinderbackup</c>.
    /// </summary>
    public static string DefaultDataDirectory(Func<string, string?> env)
    {
        if (OperatingSystem.IsWindows())
        {
            var local = env("LOCALAPPDATA") ?? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return Path.Combine(local, "CinderBackup");
        }
        var xdg = env("XDG_DATA_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "cinderbackup");
        }
        return Path.Combine(Home(env), ".local", "share", "cinderbackup");
    }

    /// <summary>
    /// <c>%APPDATA%\CinderBackup\cinderbackup.yaml</c> on Windows; otherwise
    /// <c>$XDG_CONFIG_HOME/cinderbackup/cinderbackup.yaml</c>, else <c>~/.config/cinderbackup/cinderbackup.yaml</c>.
    /// </summary>
    public static string DefaultConfigFile(Func<string, string?> env)
    {
        if (OperatingSystem.IsWindows())
        {
            var roaming = env("APPDATA") ?? Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData);
            return Path.Combine(roaming, "CinderBackup", ConfigFileName);
        }
        var xdg = env("XDG_CONFIG_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "cinderbackup", ConfigFileName);
        }
        return Path.Combine(Home(env), ".config", "cinderbackup", ConfigFileName);
    }

    private static string Home(Func<string, string?> env)
    {
        var home = env("HOME");
        return string.IsNullOrEmpty(home) ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : home;
    }
}
