namespace CinderBackup.Cli.Tests;

/// <summary>
/// A handful of the bad-input catalogue (see the engine's BadInputCatalogueTests) through the real cinder-backup
/// process: exit code 1, the message on stderr, nothing on stdout, and no change to the catalog or the data
/// directory. Includes the combined requests (rename plus reset-state, rename plus extend, restore plus
/// description) that must be refused as a whole.
/// </summary>
public sealed class BadInputCliTests : IClassFixture<BadInputCliWorld>
{
    private readonly BadInputCliWorld _w;

    public BadInputCliTests(BadInputCliWorld world) => _w = world;

    private string Input(string name, string text)
    {
        var path = Path.Combine(_w.Home.File_("inputs"), name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Every process that opens the catalog reports its heartbeat in services; that is not a change.</summary>
    private string Snapshot() => StateSnapshot.Take(_w.Home.CatalogPath, new[] { _w.Home.Home }, "services");

    private void AssertRefused(string expected, params string[] args)
    {
        var before = Snapshot();
        var r = CliRunner.Run(_w.Home, args);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.True(r.Stderr.Contains(expected, StringComparison.Ordinal), $"expected on stderr: {expected}\n{r}");
        Assert.Equal("", r.Stdout);
        Assert.Equal(before, Snapshot());
    }

    [Theory]
    [InlineData("Invalid input received: Volume size 'abc' must be an integer and greater than 0 (HTTP 400)", "volume", "create", "--size", "abc", "v2")]
    [InlineData("Invalid input received: Volume size '-3' must be an integer and greater than 0 (HTTP 400)", "volume", "create", "--size", "-3", "v2")]
    [InlineData("Invalid input received: Volume size 16384 GiB is too large for the file pool", "volume", "create", "--size", "16384", "v2")]
    [InlineData("Invalid input received: Volume size 16384 GiB is too large for the file pool", "volume", "set", "vol", "--size", "16384")]
    [InlineData("Invalid input received: Volume size 16384 GiB is too large for the file pool", "volume", "create", "--backup", "full", "--size", "16384", "restored")]
    [InlineData("Invalid container '../escape': '..' is not allowed", "volume", "backup", "create", "--container", "../escape", "vol")]
    [InlineData("unsupported compression algorithm: lzma (HTTP 400)", "volume", "backup", "create", "--compression", "lzma", "vol")]
    [InlineData("Invalid input received: Can't parse backup record. (HTTP 400)", "volume", "backup", "record", "import", "cinder.backup.drivers.posix.PosixBackupDriver", "!!!not base64!!!")]
    [InlineData("backups must be >= -1 (HTTP 400)", "quota", "set", "--backups", "-5", "default")]
    [InlineData("volumes must be >= -1 (HTTP 400)", "quota", "set", "--volumes", "-2", "default")]
    [InlineData("volumes must be an integer (HTTP 400)", "quota", "set", "--volumes", "ten", "default")]
    [InlineData("gigabytes must be <= 2147483647 (HTTP 400)", "quota", "set", "--gigabytes", "99999999999", "default")]
    [InlineData("gigabytes must be an integer (HTTP 400)", "quota", "set", "--gigabytes", "1.5", "default")]
    [InlineData("Policy doesn't allow volume_extension:quotas:update to be performed. (HTTP 403)", "--os-admin", "false", "quota", "set", "--volumes", "5", "default")]
    [InlineData("No backup with a name or ID of 'not-a-uuid' exists.", "volume", "backup", "show", "not-a-uuid")]
    [InlineData("Backup status: creating is invalid, valid statuses are: ['available', 'error']. (HTTP 400)", "volume", "backup", "set", "full", "--name", "renamed", "--state", "creating")]
    [InlineData("Policy doesn't allow volume_extension:backup_admin_actions:reset_status to be performed. (HTTP 403)", "--os-admin", "false", "volume", "backup", "set", "full", "--name", "renamed", "--state", "error")]
    [InlineData("Policy doesn't allow backup:export-import to be performed. (HTTP 403)", "--os-admin", "false", "volume", "backup", "record", "export", "full")]
    [InlineData("New size for extend must be greater than current size. (current: 1, extended: 1).", "volume", "set", "vol", "--name", "renamed", "--size", "1")]
    [InlineData("Cannot reset-state to deleting (HTTP 400)", "volume", "set", "vol", "--name", "renamed", "--state", "deleting")]
    [InlineData("Volume status: sideways is invalid, valid statuses are: ('creating', 'available',", "volume", "set", "vol", "--size", "2", "--state", "sideways")]
    [InlineData("Policy doesn't allow volume_extension:volume_admin_actions:reset_status to be performed. (HTTP 403)", "--os-admin", "false", "volume", "set", "vol", "--name", "renamed", "--state", "available")]
    [InlineData("Invalid input received: description 'bell\\u0007' contains control characters.", "volume", "create", "--backup", "full", "--description", "bell\u0007", "restored")]
    [InlineData("Invalid input received: name 'red\\u001b[31m' contains control characters. (HTTP 400)", "volume", "backup", "set", "full", "--name", "red\u001b[31m")]
    [InlineData("argument --prefix: 'x;touch y;' is not a shell variable name prefix", "volume", "backup", "show", "full", "-f", "shell", "--prefix", "x;touch y;")]
    [InlineData("Invalid retention policy: keep-last must be at least 1, got 0; nothing was changed. (HTTP 400)", "volume", "backup", "prune", "--keep-last", "0")]
    [InlineData("Invalid retention policy: keep-weekly must be at least 1, got -2; nothing was changed. (HTTP 400)", "volume", "backup", "prune", "--keep-daily", "3", "--keep-weekly", "-2")]
    [InlineData("Invalid retention policy: give at least one of keep-last, keep-daily, keep-weekly, keep-monthly; nothing was changed.", "volume", "backup", "prune", "--dry-run")]
    [InlineData("No volume with a name or ID of 'nosuch' exists.", "volume", "backup", "prune", "--keep-last", "1", "--volume", "nosuch")]
    [InlineData("Volume type with name nope could not be found.", "volume", "create", "--size", "1", "--type", "nope", "v2")]
    [InlineData("Volume type with name nope could not be found.", "volume", "create", "--backup", "full", "--type", "nope", "restored")]
    [InlineData("Volume type with name nope could not be found.", "volume", "type", "delete", "nope")]
    [InlineData("Volume type name can not be empty. (HTTP 400)", "volume", "type", "create", " ")]
    [InlineData("Invalid input received: volume type name 'x\\u0007' contains control characters. (HTTP 400)", "volume", "type", "create", "x\u0007")]
    [InlineData("The volume type 7e1c8bb4-0f3a-4d5e-9a3c-2f6b1d0e4a17 is a default volume type and cannot be deleted. (HTTP 400)", "volume", "type", "delete", "__DEFAULT__")]
    [InlineData("Policy doesn't allow volume_extension:type_create to be performed. (HTTP 403)", "--os-admin", "false", "volume", "type", "create", "io1")]
    [InlineData("Policy doesn't allow volume_extension:type_delete to be performed. (HTTP 403)", "--os-admin", "false", "volume", "type", "delete", "__DEFAULT__")]
    [InlineData("2 ids given: several ids are accepted only with --state and no other change.", "volume", "backup", "set", "full", "full", "--name", "renamed", "--state", "error")]
    [InlineData("2 ids given: several ids are accepted only with --state and no other change.", "volume", "backup", "set", "full", "full", "--name", "renamed")]
    [InlineData("Backup status: creating is invalid, valid statuses are: ['available', 'error']. (HTTP 400)", "volume", "backup", "set", "full", "full", "--state", "creating")]
    [InlineData("Policy doesn't allow volume_extension:backup_admin_actions:reset_status to be performed. (HTTP 403)", "--os-admin", "false", "volume", "backup", "set", "full", "full", "--state", "error")]
    [InlineData("2 ids given: several ids are accepted only with --state and no other change.", "volume", "set", "vol", "vol", "--size", "2", "--state", "error")]
    [InlineData("Cannot reset-state to deleting (HTTP 400)", "volume", "set", "vol", "vol", "--state", "deleting")]
    public void BadArgumentsExitWithTheMessageAndChangeNothing(string expected, params string[] args) => AssertRefused(expected, args);

    [Fact]
    public void ABadRecordFileNamesTheFileAndLine()
    {
        var file = Input("extra.yaml", "backup_service: s\nbackup_url: u\nextra: 1\n");
        AssertRefused($"Record file '{file}', line 3: unexpected key 'extra' (a record has exactly backup_service and backup_url).",
            "volume", "backup", "record", "import", "--file", file);
    }

    [Fact]
    public void ABadConfigurationFileNamesTheFileTheLineAndTheKey()
    {
        var file = Input("bad.yaml", "backup_file_size: 4MiB\nbackup_foo: 1\n");
        AssertRefused($"Configuration file '{file}', line 2: unknown key 'backup_foo'.", "--config", file, "volume", "list");
        file = Input("wrongtype.yaml", "quota_backups: [1]\n");
        AssertRefused($"Configuration file '{file}', line 1: 'quota_backups' must be a single value, not a list or mapping.", "--config", file, "volume", "list");
    }

    [Fact]
    public void BenchRefusesADirectoryThatHoldsFiles() =>
        AssertRefused($"--dir '{_w.Home.Home}' is not empty.", "bench", "--quick", "--no-cinder", "--no-baselines", "--dir", _w.Home.Home);

    [Fact]
    public void RegisteringTheCatalogOrACharacterDeviceIsRefused()
    {
        AssertRefused($"The path '{_w.Home.CatalogPath}' is CinderBackup's own catalog", "--os-admin", "false", "volume", "register", "--path", _w.Home.CatalogPath, "cat");
        AssertRefused("The path '/dev/zero' is a character device, not an image file or block device.", "volume", "register", "--path", "/dev/zero", "zero");
    }

    [Fact]
    public void RegisteringAPathThatDoesNotExistNamesIt()
    {
        var path = _w.Home.File_("no-such-image.img");
        AssertRefused($"The path '{path}' does not exist.", "volume", "register", "--path", path, "r");
    }
}
