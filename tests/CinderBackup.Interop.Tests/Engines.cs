using CinderBackup.Engine.Api;

namespace CinderBackup.Interop.Tests;

/// <summary>Engines over a <see cref="TempHome"/>, as an administrator (record import and export are admin-only).</summary>
internal static class Engines
{
    public const string Project = "interop-project";
    public const string User = "interop-admin";

    public static BackupEngine Open(TempHome home) => BackupEngine.Open(new EngineOptions
    {
        ProjectName = Project,
        UserName = User,
        Admin = true,
        Environment = home.Env,
    });

    /// <summary>A config file with the given keys (values are written as single-quoted YAML strings).</summary>
    public static void Configure(TempHome home, params (string Key, string Value)[] values) =>
        home.WriteConfig(string.Concat(values.Select(v => $"{v.Key}: '{v.Value.Replace("'", "''")}'\n")));
}
