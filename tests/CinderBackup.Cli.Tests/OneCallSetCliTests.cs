namespace CinderBackup.Cli.Tests;

/// <summary>
/// One engine call per user action (issue 17, item 4): <c>volume set</c>, <c>volume backup set</c> and
/// <c>volume create --backup</c> refuse the whole request when one part is refused; nothing changes.
/// </summary>
public sealed class OneCallSetCliTests : IDisposable
{
    private readonly TempHome _home = new();

    public OneCallSetCliTests() => _home.WriteConfig("backup_file_size: 1MiB\n");

    public void Dispose() => _home.Dispose();

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    [Fact]
    public void VolumeSetWithARefusedStateNeitherRenamesNorExtends()
    {
        CliRunner.Ok(_home, "volume", "create", "--size", "1", "v");
        var refused = CliRunner.Run(_home, "volume", "set", "--name", "renamed", "--size", "2", "--property", "k=v", "--state", "in-use", "v");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("Cannot reset-state to in-use because volume does not have any attachments.", refused.Stderr);
        Assert.Equal("1", Value("volume", "show", "v", "-c", "size"));
        Assert.Equal("available", Value("volume", "show", "v", "-c", "status"));
        Assert.Equal("{}", Value("volume", "show", "v", "-c", "properties"));
        Assert.Equal("v", Value("volume", "show", "v", "-c", "name"));
    }

    [Fact]
    public void BackupSetAndCreateFromBackupRefusedChangeNothing()
    {
        CliRunner.Ok(_home, "volume", "create", "--size", "1", "v");
        CliRunner.Ok(_home, "volume", "backup", "create", "v", "--name", "b");
        var refused = CliRunner.Run(_home, "volume", "backup", "set", "--name", "bad\u0001", "--state", "error", "b");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("available", Value("volume", "backup", "show", "b", "-c", "status"));

        refused = CliRunner.Run(_home, "volume", "create", "--backup", "b", "--description", "bad\u0001", "--property", "k=v", "n");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal(1, CliRunner.Run(_home, "volume", "show", "n").ExitCode);
        Assert.Equal("available", Value("volume", "backup", "show", "b", "-c", "status"));

        CliRunner.Ok(_home, "volume", "create", "--backup", "b", "--description", "mine", "--property", "k=v", "n");
        Assert.Equal("mine", Value("volume", "show", "n", "-c", "description"));
        Assert.Matches("k.*v", Value("volume", "show", "n", "-c", "properties"));
    }
}
