namespace CinderBackup.Cli.Tests;

/// <summary>
/// <c>volume set --state</c> (issue 16, item 10): a restore that fails over an existing volume leaves it error_restoring,
/// where no restore may go; an admin resets it to available, as with <c>openstack volume set --state</c>, and the
/// backup restores into it again.
/// </summary>
public sealed class VolumeStateCliTests : IDisposable
{
    private readonly TempHome _home = new();

    public VolumeStateCliTests() => _home.WriteConfig("backup_file_size: 1MiB\n");

    public void Dispose() => _home.Dispose();

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    [Fact]
    public void AVolumeLeftErrorRestoringIsResetAndRestoredIntoAgain()
    {
        Ok("volume", "create", "--size", "1", "source");
        var source = Value("volume", "show", "source", "-c", "path");
        Disk.WriteRandom(source, 0, 6 << 20, 4);
        var backup = Value("volume", "backup", "create", "source", "-c", "id");
        Ok("volume", "create", "--size", "1", "target");

        _home.Set("CINDERBACKUP_FAULT", "restore.write#2:eio");
        Assert.Equal(1, CliRunner.Run(_home, "volume", "backup", "restore", backup, "target").ExitCode);
        _home.Set("CINDERBACKUP_FAULT", null);
        Assert.Equal("error_restoring", Value("volume", "show", "target", "-c", "status"));
        var refused = CliRunner.Run(_home, "volume", "backup", "restore", backup, "target");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("Invalid volume: Volume to be restored to must be available", refused.Stderr);

        var user = CliRunner.Run(_home, "--os-admin", "false", "volume", "set", "--state", "available", "target");
        Assert.Equal(1, user.ExitCode);
        Assert.Contains("Policy doesn't allow volume_extension:volume_admin_actions:reset_status to be performed.", user.Stderr);
        Assert.Equal("error_restoring", Value("volume", "show", "target", "-c", "status"));

        Assert.Equal("", Ok("volume", "set", "--state", "available", "target").Stdout); // silent, as the openstack client
        Assert.Equal("available", Value("volume", "show", "target", "-c", "status"));
        Ok("volume", "backup", "restore", backup, "target");
        Assert.Equal("available", Value("volume", "show", "target", "-c", "status"));
        Assert.Equal(Disk.Sha256(source), Disk.Sha256(Value("volume", "show", "target", "-c", "path")));
    }
}
