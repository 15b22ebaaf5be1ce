using CinderBackup.Engine.Api;

namespace CinderBackup.Engine.Tests;

/// <summary>Opens engines over a <see cref="TempHome"/> with a given identity.</summary>
internal static class EngineFactory
{
    public static BackupEngine Open(TempHome home, string? project = null, string? user = null, bool? admin = null) =>
        BackupEngine.Open(Options(home, project, user, admin));

    public static EngineOptions Options(TempHome home, string? project = null, string? user = null, bool? admin = null) => new()
    {
        ProjectName = project,
        UserName = user,
        Admin = admin,
        Environment = home.Env,
    };
}
