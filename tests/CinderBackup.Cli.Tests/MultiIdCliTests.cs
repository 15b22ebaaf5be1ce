namespace CinderBackup.Cli.Tests;

/// <summary>
/// Several ids in one command, as the openstack client takes them (issue 20, item 4): each is processed, a failure on
/// one is reported and the rest still done, exit code 1 if any failed; delete takes incrementals before their parents.
/// </summary>
public sealed class MultiIdCliTests : IDisposable
{
    private readonly TempHome _home = new();

    public MultiIdCliTests() => _home.WriteConfig("backup_file_size: 8MiB\n");

    public void Dispose() => _home.Dispose();

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    private void Chain(string volume, params string[] names)
    {
        Ok("volume", "create", "--size", "1", volume);
        var path = Value("volume", "show", volume, "-c", "path");
        for (var i = 0; i < names.Length; i++)
        {
            Disk.WriteRandom(path, (long)i << 20, 4096, seed: i + 1);
            var args = new List<string> { "volume", "backup", "create", volume, "--name", names[i] };
            if (i > 0)
            {
                args.Add("--incremental");
            }
            Ok(args.ToArray());
        }
    }

    private string[] BackupNames() =>
        Ok("volume", "backup", "list", "-f", "value", "-c", "Name").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToArray();

    [Theory]
    [InlineData("full", "incr1", "incr2")]
    [InlineData("incr1", "full", "incr2")]
    [InlineData("full", "incr2", "incr1")]
    public void DeleteTakesIncrementalsBeforeTheirParentsWhateverTheOrderGiven(params string[] order)
    {
        Chain("v", "full", "incr1", "incr2");
        Chain("w", "other");
        var args = new List<string> { "volume", "backup", "delete" };
        args.AddRange(order);
        var r = CliRunner.Run(_home, args.ToArray());
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr);
        Assert.Equal(new[] { "other" }, BackupNames());
    }

    [Fact]
    public void DeleteReportsAMissingIdAndStillDeletesTheRestChildrenFirst()
    {
        Chain("v", "full", "incr1");
        var r = CliRunner.Run(_home, "volume", "backup", "delete", "full", "nosuch", "incr1");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Failed to delete backup with name or ID 'nosuch': No backup with a name or ID of 'nosuch' exists.\n1 of 3 backups failed to delete.\n", r.Stderr);
        Assert.Empty(BackupNames());
    }

    [Fact]
    public void BackupSetStateTakesSeveralAndReportsEachFailure()
    {
        Chain("v", "a");
        Chain("w", "b");
        var r = CliRunner.Run(_home, "volume", "backup", "set", "a", "nosuch", "b", "--state", "error");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Failed to set backup with name or ID 'nosuch': No backup with a name or ID of 'nosuch' exists.\n1 of 3 backups failed to set.\n", r.Stderr);
        Assert.Equal("error", Value("volume", "backup", "show", "a", "-c", "status"));
        Assert.Equal("error", Value("volume", "backup", "show", "b", "-c", "status"));
        Ok("volume", "backup", "set", "a", "b", "--state", "available");
        Assert.Equal("available", Value("volume", "backup", "show", "a", "-c", "status"));
        Assert.Equal("available", Value("volume", "backup", "show", "b", "-c", "status"));
    }

    [Fact]
    public void VolumeSetStateTakesSeveralAndReportsEachFailure()
    {
        Ok("volume", "create", "--size", "1", "a");
        Ok("volume", "create", "--size", "1", "b");
        var r = CliRunner.Run(_home, "volume", "set", "nosuch", "a", "b", "--state", "error");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Failed to set volume with name or ID 'nosuch': No volume with a name or ID of 'nosuch' exists.\n1 of 3 volumes failed to set.\n", r.Stderr);
        Assert.Equal("error", Value("volume", "show", "a", "-c", "status"));
        Assert.Equal("error", Value("volume", "show", "b", "-c", "status"));
    }
}
