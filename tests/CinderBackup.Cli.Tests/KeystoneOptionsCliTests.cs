namespace CinderBackup.Cli.Tests;

/// <summary>
/// The seeds' command lines carry the openstack and cinder clients' Keystone options (issue 20, item 9): they run
/// as written with cinder-backup in the client's place; the options the tool does not use are named in one line on
/// stderr, their values never shown.
/// </summary>
public sealed class KeystoneOptionsCliTests : IDisposable
{
    private const string Note = "cinder-backup: ignoring {0} (no Keystone or Cinder API here; only --os-username, --os-project-name and --os-token are used).\n";

    private readonly TempHome _home = new();

    public KeystoneOptionsCliTests() => _home.WriteConfig("backup_file_size: 8MiB\n");

    public void Dispose() => _home.Dispose();

    [Fact]
    public void TheRhospBackupCreateLineRunsAsWritten()
    {
        CliRunner.Ok(_home, "--os-project-name", "admin", "--os-username", "admin", "volume", "create", "--size", "1", "vol");
        // RHOSP 17.1 guide: openstack --os-auth-url <keystoneurl> --os-project-name <projectname> --os-username
        // <username> --os-password <password> volume backup create [--name <backup_name>] <volume>
        var r = CliRunner.Run(_home, "--os-auth-url", "https://keystone.example:5000/v3", "--os-project-name", "admin", "--os-username", "admin",
            "--os-password", "pa55-word", "volume", "backup", "create", "--name", "b1", "vol");
        Assert.True(r.ExitCode == 0, r.ToString());
        // The note is the first line; the backup's summary follows it (issue 20, item 5).
        Assert.StartsWith(string.Format(Note, "--os-auth-url, --os-password"), r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("pa55-word", r.Stdout + r.Stderr);
        Assert.DoesNotContain("keystone.example", r.Stderr);
        Assert.Equal("available", CliRunner.Value(_home, "--os-project-name", "admin", "volume", "backup", "show", "b1", "-c", "status"));
    }

    [Fact]
    public void TheCinderApiVersionAndTheOtherKeystoneOptionsAreAcceptedAnywhere()
    {
        var r = CliRunner.Run(_home, "--os-volume-api-version", "3.51", "volume", "list", "--os-user-domain-name", "Default", "--os-project-domain-name", "Default",
            "--os-region-name", "RegionOne", "--os-interface", "public", "--os-identity-api-version", "3", "--os-cacert", "/etc/ssl/ca.pem", "--insecure");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(string.Format(Note, "--os-volume-api-version, --os-identity-api-version, --os-user-domain-name, --os-project-domain-name, --os-region-name, --os-interface, --os-cacert, --insecure"), r.Stderr);
    }

    [Fact]
    public void WithoutThemNothingIsNoted()
    {
        var r = CliRunner.Run(_home, "volume", "list");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr);
    }

    [Theory]
    [InlineData("--os-auth-url")]
    [InlineData("--os-password")]
    [InlineData("--os-volume-api-version")]
    public void AnOptionWithoutItsValueIsAUsageError(string option)
    {
        var r = CliRunner.Run(_home, "volume", "list", option);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.StartsWith($"cinder-backup: error: Required argument missing for option: '{option}'.\n", r.Stderr);
    }
}
