using System.Text.RegularExpressions;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// The python-cinderclient commands the seeds use (issue 20): <c>quota-usage</c>, <c>backup-create</c>, <c>create
/// --backup-id</c>, <c>backup-restore</c>, <c>backup-reset-state</c>. They print cinderclient's Property/Value tables
/// (sorted by property) and messages, and bad input gets the same errors as the openstack forms and changes nothing.
/// </summary>
public sealed class CinderClientCliTests : IDisposable
{
    private readonly TempHome _home = new();

    public CinderClientCliTests()
    {
        _home.WriteConfig("backup_file_size: 1MiB\n");
        Ok("volume", "create", "--size", "1", "vol1");
        Disk.WriteRandom(Value("volume", "show", "vol1", "-c", "path"), 0, 3 << 20, 7);
    }

    public void Dispose() => _home.Dispose();

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private CliRunner.Result Run(params string[] args) => CliRunner.Run(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    [Fact]
    public void BackupCreateCreateAndRestorePrintCinderclientsTables()
    {
        var created = Ok("--os-volume-api-version", "3.51", "backup-create", "--name", "bu1", "--description", "d1", "--availability-zone", "nova",
            "vol1", "--metadata", "k1=v1", "k2=v2");
        var backup = Value("volume", "backup", "show", "bu1", "-c", "id");
        var volume = Value("volume", "show", "vol1", "-c", "id");
        Assert.Equal(
            "+-----------+--------------------------------------+\n" +
            "| Property  | Value                                |\n" +
            "+-----------+--------------------------------------+\n" +
            $"| id        | {backup} |\n" +
            "| name      | bu1                                  |\n" +
            $"| volume_id | {volume} |\n" +
            "+-----------+--------------------------------------+\n", created.Stdout);
        Assert.Equal("available", Value("volume", "backup", "show", "bu1", "-c", "status"));
        Assert.Equal("d1", Value("volume", "backup", "show", "bu1", "-c", "description"));

        // create: the volume's fields, sorted, under Property; the size defaults to the backup's.
        var fromBackup = Ok("create", "--name", "vol2", "--backup-id", backup, "--availability-zone", "nova").Stdout;
        var keys = Regex.Matches(fromBackup, @"^\| (\S+) +\|", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal("Property", keys[0]);
        Assert.Equal(keys.Skip(1).Order(StringComparer.Ordinal), keys.Skip(1));
        Assert.Matches(@"(?m)^\| name +\| vol2 +\|$", fromBackup);
        Assert.Matches(@"(?m)^\| size +\| 1 +\|$", fromBackup);
        Assert.Equal(Disk.Sha256(Value("volume", "show", "vol1", "-c", "path")), Disk.Sha256(Value("volume", "show", "vol2", "-c", "path")));
        Assert.Matches(@"(?m)^\| size +\| 2 +\|$", Ok("create", "--name", "plain", "2").Stdout);

        var restored = Ok("backup-restore", "bu1").Stdout;
        var newVolume = Regex.Match(restored, @"\| volume_id   \| ([0-9a-f-]{36}) \|").Groups[1].Value;
        Assert.Equal(
            "+-------------+--------------------------------------+\n" +
            "| Property    | Value                                |\n" +
            "+-------------+--------------------------------------+\n" +
            $"| backup_id   | {backup} |\n" +
            $"| volume_id   | {newVolume} |\n" +
            "| volume_name | vol1                                 |\n" +
            "+-------------+--------------------------------------+\n", restored);
        Assert.Matches(@"(?m)^\| volume_name \| vol2 +\|$", Ok("backup-restore", "--volume", "vol2", "bu1").Stdout);
        Assert.Matches(@"(?m)^\| volume_name \| named +\|$", Ok("backup-restore", "--name", "named", "bu1").Stdout);
    }

    [Fact]
    public void QuotaUsagePrintsTheTableOfQuotaUsage()
    {
        Ok("volume", "backup", "create", "vol1");
        var project = Value("context", "show", "-c", "project");
        var usage = Ok("quota-usage", project).Stdout;
        Assert.Equal(Ok("quota", "usage", project).Stdout, usage);
        Assert.Matches(@"(?m)^\| Type +\| In_use \| Reserved \| Limit \| Allocated \|$", usage);
        Assert.Matches(@"(?m)^\| backups +\| +1 \| +0 \| +10 \| +\|$", usage);
        Assert.Equal(2, Run("quota-usage").ExitCode); // the project is required, as cinderclient's <tenant_id>
    }

    [Fact]
    public void BackupResetStateResetsEachAndDefaultsToAvailable()
    {
        var a = Value("volume", "backup", "create", "--name", "a", "vol1", "-c", "id");
        var b = Value("volume", "backup", "create", "--name", "b", "vol1", "-c", "id");

        var both = Ok("backup-reset-state", "--state", "error", a, "b");
        Assert.Equal($"Request to update backup '{a}' has been accepted.\nRequest to update backup 'b' has been accepted.\n", both.Stdout);
        Assert.Equal("error", Value("volume", "backup", "show", a, "-c", "status"));
        Assert.Equal("error", Value("volume", "backup", "show", b, "-c", "status"));

        Assert.Equal("Request to update backup 'a' has been accepted.\n", Ok("backup-reset-state", "a").Stdout);
        Assert.Equal("available", Value("volume", "backup", "show", a, "-c", "status"));
        Assert.Equal("error", Value("volume", "backup", "show", b, "-c", "status"));
    }

    [Fact]
    public void BadInputGetsTheOpenstackFormsErrorsAndChangesNothing()
    {
        Ok("volume", "backup", "create", "--name", "a", "vol1");
        Ok("volume", "backup", "create", "--name", "b", "vol1");
        var before = Ok("volume", "backup", "list", "--long").Stdout;
        var volumesBefore = Ok("volume", "list", "--long").Stdout;

        // Each pair: the cinder form, then the openstack form it maps onto: the same exit code and stderr.
        var pairs = new (string[] Cinder, string[] Openstack)[]
        {
            (new[] { "backup-reset-state", "--state", "bogus", "a", "b" }, new[] { "volume", "backup", "set", "--state", "bogus", "a", "b" }),
            (new[] { "backup-reset-state", "--state", "bogus", "a" }, new[] { "volume", "backup", "set", "--state", "bogus", "a" }),
            (new[] { "backup-reset-state", "nope" }, new[] { "volume", "backup", "set", "--state", "available", "nope" }),
            (new[] { "backup-restore", "nope" }, new[] { "volume", "backup", "restore", "nope" }),
            (new[] { "backup-create", "nope" }, new[] { "volume", "backup", "create", "nope" }),
            (new[] { "backup-create", "--snapshot-id", "nope", "vol1" }, new[] { "volume", "backup", "create", "--snapshot", "nope", "vol1" }),
            (new[] { "backup-create", "vol1", "--metadata", "novalue" }, new[] { "volume", "backup", "create", "--property", "novalue", "vol1" }),
            (new[] { "create", "--backup-id", "nope", "--name", "x" }, new[] { "volume", "create", "--backup", "nope", "x" }),
            (new[] { "create", "--name", "x", "0" }, new[] { "volume", "create", "--size", "0", "x" }),
        };
        foreach (var (cinder, openstack) in pairs)
        {
            var c = Run(cinder);
            var o = Run(openstack);
            Assert.True(c.ExitCode == 1 && o.ExitCode == 1, $"{string.Join(' ', cinder)}: {c}\n{string.Join(' ', openstack)}: {o}");
            Assert.Equal(o.Stderr, c.Stderr);
            Assert.Equal("", c.Stdout);
        }

        // One unknown among several: reported, the rest still reset, exit code 1, as `volume backup set --state`.
        var mixed = Run("backup-reset-state", "--state", "error", "nope", "a");
        Assert.Equal(1, mixed.ExitCode);
        Assert.Equal("Request to update backup 'a' has been accepted.\n", mixed.Stdout);
        Assert.Equal("Failed to set backup with name or ID 'nope': No backup with a name or ID of 'nope' exists.\n1 of 2 backups failed to set.\n", mixed.Stderr);
        Assert.Equal("error", Value("volume", "backup", "show", "a", "-c", "status"));
        Ok("volume", "backup", "set", "--state", "available", "a");

        // cinderclient's own refusals: no size and no backup; --volume with --name.
        var noSize = Run("create", "--name", "x");
        Assert.Equal(1, noSize.ExitCode);
        Assert.Equal("Size is a required parameter if snapshot or source volume or backup is not specified. (HTTP 400)\n", noSize.Stderr);
        var both = Run("backup-restore", "--volume", "vol1", "--name", "x", "a");
        Assert.Equal(1, both.ExitCode);
        Assert.Contains("Cannot specify both --volume and --name.", both.Stderr);

        Assert.Equal(before, Ok("volume", "backup", "list", "--long").Stdout);
        Assert.Equal(volumesBefore, Ok("volume", "list", "--long").Stdout);
    }

    [Fact]
    public void HelpListsThemAsCinderClientCompatibility()
    {
        var help = Ok("--help").Stdout;
        foreach (var command in new[] { "quota-usage", "backup-create", "create", "backup-restore", "backup-reset-state" })
        {
            Assert.Matches($@"(?m)^  {command} <[A-Z_]+> +cinder client compatibility: `cinder {command}", help);
        }
    }
}
