using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

public sealed class ContextTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private BackupContext Resolve(string? project = null, string? user = null, bool? admin = null) =>
        BackupEngine.LoadSettings(EngineFactory.Options(_home, project, user, admin)).Context;

    [Fact]
    public void DefaultIsTheOsUserInProjectDefaultAsAdmin()
    {
        var c = Resolve();
        Assert.Equal("default", c.ProjectName);
        Assert.Equal("tester", c.UserName);
        Assert.True(c.IsAdmin);
        Assert.Equal("default", c.Source);
    }

    [Fact]
    public void EnvironmentGivesANonAdminIdentity()
    {
        _home.Set("OS_PROJECT_NAME", "proj").Set("OS_USERNAME", "alice");
        var c = Resolve();
        Assert.Equal(("proj", "alice", false, "environment"), (c.ProjectName, c.UserName, c.IsAdmin, c.Source));
        _home.Set("CINDERBACKUP_ADMIN", "true");
        Assert.True(Resolve().IsAdmin);
    }

    [Fact]
    public void ConfigBeatsEnvironmentAndExplicitBeatsConfig()
    {
        _home.Set("OS_PROJECT_NAME", "envproj").Set("OS_USERNAME", "envuser");
        _home.WriteConfig("os_project_name: cfgproj\nos_username: cfguser\nos_admin: true\n");
        var c = Resolve();
        Assert.Equal(("cfgproj", "cfguser", true), (c.ProjectName, c.UserName, c.IsAdmin));
        c = Resolve("p2", "u2", false);
        Assert.Equal(("p2", "u2", false), (c.ProjectName, c.UserName, c.IsAdmin));
    }

    [Fact]
    public void NamesWithControlCharactersAreRefused()
    {
        var e = Assert.Throws<CinderBackupException>(() => Resolve("bad\u0001project"));
        Assert.Equal(ErrorIds.InvalidName, e.ErrorId);
        Assert.Contains("bad\\u0001project", e.Message);
    }
}
