using System.Text.Json;

namespace CinderBackup.Cli.Tests;

/// <summary>The CLI end to end through its real process: syntax, outputs and errors of the volume verbs.</summary>
public sealed class VolumeCliTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private CliRunner.Result Fails(params string[] args)
    {
        var r = CliRunner.Run(_home, args);
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Equal("", r.Stdout);
        return r;
    }

    [Fact]
    public void CreateShowsTheVolumeLikeTheOpenstackClient()
    {
        var r = Ok("volume", "create", "--size", "1", "--description", "first volume", "vol_1");
        var lines = r.Stdout.Split('\n');
        Assert.Matches(@"^\+-+\+-+\+$", lines[0]);
        Assert.Matches(@"^\| Field +\| Value +\|$", lines[1]);
        Assert.Contains(lines, l => l.StartsWith("| description ") && l.Contains("| first volume "));
        Assert.Contains(lines, l => l.StartsWith("| status ") && l.Contains("| available "));
        Assert.Contains(lines, l => l.StartsWith("| size ") && l.Contains("| 1 "));
        Assert.Contains(lines, l => l.StartsWith("| attachments ") && l.Contains("| [] "));
        var fieldOrder = lines.Skip(3).Where(l => l.StartsWith("| ")).Select(l => l.Split('|')[1].Trim()).ToList();
        Assert.Equal(fieldOrder.OrderBy(f => f, StringComparer.Ordinal), fieldOrder);
    }

    [Fact]
    public void ListIsAnOpenstackTableWithSizesRightAligned()
    {
        var id = Ok("volume", "create", "--size", "1", "vol_1", "-f", "value", "-c", "id").Stdout.Trim();
        var id2 = Ok("volume", "create", "--size", "10", "Pansible_vol_2", "-f", "value", "-c", "id").Stdout.Trim();
        Ok("volume", "attach", "--instance", "inst1", "--device", "/dev/vdc", "Pansible_vol_2");
        var r = Ok("volume", "list");
        var expected = string.Join("\n",
            "+--------------------------------------+----------------+-----------+------+-------------------------------+",
            "| ID                                   | Name           | Status    | Size | Attached to                   |",
            "+--------------------------------------+----------------+-----------+------+-------------------------------+",
            $"| {id2} | Pansible_vol_2 | in-use    |   10 | Attached to inst1 on /dev/vdc |",
            $"| {id} | vol_1          | available |    1 |                               |",
            "+--------------------------------------+----------------+-----------+------+-------------------------------+",
            "");
        Assert.Equal(expected, r.Stdout);
    }

    [Fact]
    public void OutputFormatsAndColumns()
    {
        Ok("volume", "create", "--size", "2", "--property", "tier=gold", "v1");
        var json = JsonDocument.Parse(Ok("volume", "show", "v1", "-f", "json").Stdout).RootElement;
        Assert.Equal("v1", json.GetProperty("name").GetString());
        Assert.Equal(2, json.GetProperty("size").GetInt32());
        Assert.Equal("gold", json.GetProperty("properties").GetProperty("tier").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("description").ValueKind);

        var list = JsonDocument.Parse(Ok("volume", "list", "-f", "json").Stdout).RootElement;
        Assert.Equal(1, list.GetArrayLength());
        Assert.Equal("v1", list[0].GetProperty("Name").GetString());

        Assert.Equal("v1\n2\n", Ok("volume", "show", "v1", "-f", "value", "-c", "name", "-c", "size").Stdout);
        var yaml = Ok("volume", "show", "v1", "-f", "yaml", "-c", "name", "-c", "created_at", "-c", "description").Stdout;
        Assert.Matches("^created_at: '[0-9T:.-]+'\ndescription: null\nname: v1\n$", yaml);
        Assert.Matches("^- Attached to: ''\n  ID: [0-9a-f-]+\n  Name: v1\n  Size: 2\n  Status: available\n$", Ok("volume", "list", "-f", "yaml").Stdout);
        Assert.Equal("name=\"v1\"\n", Ok("volume", "show", "v1", "-f", "shell", "-c", "name").Stdout);

        var bad = Fails("volume", "show", "v1", "-c", "nope");
        Assert.Contains("No recognized column names in ['nope']", bad.Stderr);
        bad = Fails("volume", "list", "-f", "xml");
        Assert.Contains("xml", bad.Stderr);
    }

    [Fact]
    public void EmptyListPrintsABlankLine() => Assert.Equal("\n", Ok("volume", "list").Stdout);

    [Fact]
    public void ErrorsGoToStderrWithExitCodeOne()
    {
        var r = Fails("volume", "show", "nothing");
        Assert.Equal("No volume with a name or ID of 'nothing' exists.\n", r.Stderr);
        Assert.Equal(1, r.ExitCode);

        r = Fails("volume", "create", "--size", "abc", "x");
        Assert.Equal("Invalid input received: Volume size 'abc' must be an integer and greater than 0 (HTTP 400)\n", r.Stderr);
        r = Fails("volume", "create", "--size", "0", "x");
        Assert.Contains("Volume size '0' must be an integer and greater than 0", r.Stderr);
        Assert.Equal("\n", Ok("volume", "list").Stdout);

        r = Fails("volume", "create", "x");
        Assert.Contains("--size", r.Stderr);
    }

    [Fact]
    public void DeletingInUseVolumesFailsLikeTheOpenstackClient()
    {
        Ok("volume", "create", "--size", "1", "a");
        Ok("volume", "create", "--size", "1", "b");
        Ok("volume", "attach", "--instance", "inst1", "--device", "/dev/vdc", "a");
        var r = CliRunner.Run(_home, "volume", "delete", "a", "b", "zzz");
        Assert.Equal(1, r.ExitCode);
        var err = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Failed to delete volume with name or ID 'a': Invalid volume: Volume status must be available or error", err[0]);
        Assert.EndsWith("(HTTP 400)", err[0]);
        Assert.Equal("Failed to delete volume with name or ID 'zzz': No volume with a name or ID of 'zzz' exists.", err[1]);
        Assert.Equal("2 of 3 volumes failed to delete.", err[2]);
        Assert.Contains("| a ", Ok("volume", "list").Stdout);
        Assert.DoesNotContain("| b ", Ok("volume", "list").Stdout);
        Ok("volume", "detach", "a");
        Ok("volume", "delete", "a");
    }

    [Fact]
    public void RegisterSetAndSnapshots()
    {
        var image = _home.File_("disk.img");
        using (var fs = File.Create(image))
        {
            fs.SetLength(1 << 20);
        }
        Ok("volume", "register", "--path", image, "reg");
        Assert.Contains("| backend ", Ok("volume", "show", "reg").Stdout);
        var r = Fails("volume", "register", "--path", _home.File_("missing.img"), "x");
        Assert.Equal($"The path '{_home.File_("missing.img")}' does not exist.\n", r.Stderr);

        Ok("volume", "create", "--size", "1", "v");
        Ok("volume", "set", "--name", "v2", "--description", "renamed", "--size", "2", "v");
        // Like cliff, -c keeps the fields' own (sorted) order, not the order the options were given in.
        Assert.Equal("renamed\nv2\n2\n", Ok("volume", "show", "v2", "-f", "value", "-c", "name", "-c", "description", "-c", "size").Stdout);

        var snap = Ok("volume", "snapshot", "create", "--volume", "v2", "--description", "s", "snap_1").Stdout;
        Assert.Matches(@"\| os-extended-snapshot-attributes:progress +\| 100% +\|", snap);
        Assert.Contains("| snap_1 ", Ok("volume", "snapshot", "list").Stdout);
        Assert.Contains("| volume_id ", Ok("volume", "snapshot", "show", "snap_1").Stdout);
        r = Fails("volume", "delete", "v2");
        Assert.Contains("have snapshots", r.Stderr);
        Ok("volume", "snapshot", "delete", "snap_1");
        Ok("volume", "delete", "v2", "reg");
        Assert.True(File.Exists(image));
    }

    [Fact]
    public void IdentityFromOptionsAndEnvironment()
    {
        Ok("--os-project-name", "p1", "--os-username", "u1", "volume", "create", "--size", "1", "pv");
        Assert.Equal("\n", Ok("volume", "list", "--os-project-name", "p2", "--os-username", "u2").Stdout);
        Assert.Contains("| pv ", Ok("volume", "list", "--os-project-name", "p1").Stdout);
        _home.Set("OS_PROJECT_NAME", "p1").Set("OS_USERNAME", "envuser");
        Assert.Equal("p1\nenvuser\nFalse\n", Ok("context", "show", "-f", "value", "-c", "project", "-c", "user", "-c", "admin").Stdout);
        var r = Fails("volume", "list", "--all-projects");
        Assert.Contains("Policy doesn't allow", r.Stderr);
        Assert.Contains("| p1 ", Ok("volume", "list", "--all-projects", "--os-admin", "true").Stdout);
    }

    [Fact]
    public void ConfigAndCatalogProblemsAreClearErrors()
    {
        _home.WriteConfig("backup_driver: posix\nnot_an_option: 3\n");
        var r = Fails("volume", "list");
        Assert.Equal($"Configuration file '{_home.ConfigPath}', line 2: unknown key 'not_an_option'.\n", r.Stderr);
        File.WriteAllText(_home.ConfigPath, "backup_driver: [posix\n");
        r = Fails("volume", "list");
        Assert.StartsWith($"Configuration file '{_home.ConfigPath}', line ", r.Stderr);
        Assert.Contains("not valid YAML", r.Stderr);
        File.Delete(_home.ConfigPath);
        _home.Set("CINDERBACKUP_CONFIG", null);

        Directory.CreateDirectory(_home.Home);
        File.WriteAllText(_home.CatalogPath, "this is not a database, it is a text file that is long enough to have a header .........................................");
        r = Fails("volume", "list");
        Assert.Contains($"The catalog '{_home.CatalogPath}' is corrupt or not an SQLite database", r.Stderr);
    }

    [Fact]
    public async Task TwoProcessesWritingTheCatalogAtOnceLoseNothing()
    {
        _home.WriteConfig("quota_volumes: -1\n"); // 16 volumes in one project: over Cinder's default of 10
        Ok("volume", "list");
        const int each = 8;
        async Task<List<int>> Writer(string tag)
        {
            var codes = new List<int>();
            for (var i = 0; i < each; i++)
            {
                var r = await Task.Run(() => CliRunner.Run(_home, "volume", "create", "--size", "1", $"{tag}-{i}"));
                codes.Add(r.ExitCode);
            }
            return codes;
        }
        var results = await Task.WhenAll(Writer("a"), Writer("b"));
        Assert.All(results.SelectMany(c => c), c => Assert.Equal(0, c));
        var names = Ok("volume", "list", "-f", "value", "-c", "Name").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2 * each, names.Length);
        Assert.Equal(2 * each, names.Distinct().Count());
    }
}
