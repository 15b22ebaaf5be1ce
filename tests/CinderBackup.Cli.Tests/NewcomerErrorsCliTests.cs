namespace CinderBackup.Cli.Tests;

/// <summary>Errors and outputs a newcomer can act on (issue 20, item 7), through the real process.</summary>
public sealed class NewcomerErrorsCliTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void AMisspeltConfigKeySuggestsTheRightOne()
    {
        _home.WriteConfig("backup_posix_pth: ./repo\n");
        var r = CliRunner.Run(_home, "volume", "list");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"Configuration file '{_home.ConfigPath}', line 1: unknown key 'backup_posix_pth' (did you mean backup_posix_path?).\n", r.Stderr);
    }

    [Fact]
    public void AttachPrintsTheAttachmentAndListShowsWhereItIsAttached()
    {
        CliRunner.Ok(_home, "volume", "create", "--size", "1", "vol1");
        var attach = CliRunner.Ok(_home, "volume", "attach", "--instance", "inst1", "--device", "/dev/vdc", "vol1", "-f", "value", "-c", "Server ID", "-c", "Device");
        Assert.Equal("inst1\n/dev/vdc\n", attach.Stdout);
        Assert.Equal("Attached to inst1 on /dev/vdc", CliRunner.Value(_home, "volume", "list", "-c", "Attached to"));
    }

    [Fact]
    public void DiscoverOnARepositoryNeverWrittenSaysSo()
    {
        var r = CliRunner.Run(_home, "volume", "backup", "record", "discover");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"Repository 'default' has never been written: its directory '{Path.Combine(_home.Home, "backup")}' does not exist (the first backup makes it).", r.Stderr);
        Assert.DoesNotContain("Exception", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.Equal("", r.Stdout);
    }
}
