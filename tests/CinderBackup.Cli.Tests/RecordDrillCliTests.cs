using System.Security.Cryptography;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// The seeds' "Protecting your backups" chapter as a drill through the real cinder-backup process: backups, record
/// files, catalog loss, then (a) import of the record files and (b) discovery from the repository alone, each
/// followed by restoring every backup and comparing bytes; and catalog backup and restore.
/// </summary>
public sealed class RecordDrillCliTests : IDisposable
{
    private readonly TempHome _home = new();

    public RecordDrillCliTests() => _home.WriteConfig("backup_file_size: 8MiB\n");

    public void Dispose() => _home.Dispose();

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    private static string Sha(string path) => Disk.Sha256(path);

    private void LoseCatalog() => _home.LoseCatalog();

    /// <summary>Two volumes, each with a full backup and two incrementals; the volume's SHA-256 at each backup.</summary>
    private Dictionary<string, string> Backups()
    {
        var expected = new Dictionary<string, string>();
        foreach (var vol in new[] { "vol_1", "vol_2" })
        {
            Ok("volume", "create", "--size", "1", vol);
            var path = Value("volume", "show", vol, "-c", "path");
            for (var i = 0; i < 3; i++)
            {
                Disk.WriteRandom(path, (i * 100L + vol.Length) << 20, 2 << 20, seed: i * 7 + vol[^1]);
                var args = new List<string> { "volume", "backup", "create", vol, "--name", $"{vol}bu{i}", "-f", "value", "-c", "id" };
                if (i > 0)
                {
                    args.Add("--incremental");
                }
                expected[Ok(args.ToArray()).Stdout.Trim()] = Sha(path);
            }
        }
        return expected;
    }

    private void RestoreEveryBackupAndCompare(Dictionary<string, string> expected)
    {
        foreach (var (id, sha) in expected)
        {
            var volumeId = Value("volume", "backup", "restore", id, "-c", "volume_id");
            var path = Value("volume", "show", volumeId, "-c", "path");
            Assert.True(sha == Sha(path), $"backup {id} restored to {path} differs");
        }
    }

    [Fact]
    public void TheDrillRecordFilesThenDiscovery()
    {
        var expected = Backups();
        var records = Path.Combine(_home.Root, "records");
        Directory.CreateDirectory(records);
        foreach (var id in expected.Keys)
        {
            // The seeds: openstack volume backup record export -f yaml <backup> > <filename>.yaml
            var yaml = Ok("volume", "backup", "record", "export", "-f", "yaml", id).Stdout;
            Assert.Matches(@"^backup_service: cinder\.backup\.drivers\.posix\.PosixBackupDriver\nbackup_url: [A-Za-z0-9+/=]+\n$", yaml);
            File.WriteAllText(Path.Combine(records, id + ".yaml"), yaml);
        }

        // (a) The catalog is lost; the record files bring every backup back (any order: parents go first).
        LoseCatalog();
        var files = Directory.GetFiles(records).OrderByDescending(f => f).SelectMany(f => new[] { "--file", f });
        var imported = Ok(new[] { "volume", "backup", "record", "import", "-f", "value", "-c", "ID" }.Concat(files).ToArray()).Stdout;
        Assert.Equal(expected.Keys.Order(), imported.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        RestoreEveryBackupAndCompare(expected);

        // (b) Lost again, and no record files this time: discovery reads the repository alone.
        LoseCatalog();
        var dry = Ok("volume", "backup", "record", "discover", "--dry-run", "-f", "value", "-c", "Status").Stdout;
        Assert.All(dry.Split('\n', StringSplitOptions.RemoveEmptyEntries), s => Assert.Equal("to import", s));
        Assert.Equal("", Value("volume", "backup", "list", "-c", "ID"));
        var discovered = Ok("volume", "backup", "record", "discover", "-f", "value", "-c", "ID", "-c", "Status").Stdout;
        var rows = discovered.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToList();
        Assert.Equal(expected.Keys.Order(), rows.Select(r => r[0]).Order());
        Assert.All(rows, r => Assert.Equal("imported", r[1]));
        Assert.Equal("vol_1bu1", Value("volume", "backup", "show", expected.Keys.ElementAt(1), "-c", "name"));
        RestoreEveryBackupAndCompare(expected);

        // Discovering again finds nothing new.
        var again = Ok("volume", "backup", "record", "discover", "-f", "value", "-c", "Status").Stdout;
        Assert.All(again.Split('\n', StringSplitOptions.RemoveEmptyEntries), s => Assert.Equal("in catalog", s));
    }

    [Fact]
    public void ExportWithParentsPrintsYamlDocumentsThatImportAsASet()
    {
        var expected = Backups();
        var newest = expected.Keys.ElementAt(2);
        var yaml = Ok("volume", "backup", "record", "export", "-f", "yaml", "--include-parents", newest).Stdout;
        Assert.Equal(3, yaml.Split("---\n").Length);
        var file = Path.Combine(_home.Root, "chain.yaml");
        File.WriteAllText(file, yaml);
        LoseCatalog();
        var r = Ok("volume", "backup", "record", "import", "--verify", "--file", file, "-f", "value", "-c", "ID");
        Assert.Equal(expected.Keys.Take(3), r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        RestoreEveryBackupAndCompare(expected.Take(3).ToDictionary(kv => kv.Key, kv => kv.Value));
    }

    [Fact]
    public void BadRecordFilesAndRepositoriesAreClearErrorsThatChangeNothing()
    {
        var expected = Backups();
        var good = Ok("volume", "backup", "record", "export", "-f", "yaml", expected.Keys.First()).Stdout;
        LoseCatalog();
        var cases = new (string Text, string Message)[]
        {
            (good + "extra: 1\n", "line 3: unexpected key 'extra'"),
            ("backup_service: x\n", "the record lacks 'backup_url'"),
            ("backup_service: x\n  backup_url: y\n", "line 2"),
            ("backup_service: x\nbackup_url: '%%% not base64 %%%'\n", "Invalid input received: Can't parse backup record."),
            ("backup_service: x\nbackup_url: bm90IGpzb24=\n", "Invalid input received: Can't parse backup record."),
        };
        var goodFile = Path.Combine(_home.Root, "good.yaml");
        File.WriteAllText(goodFile, good);
        foreach (var (text, message) in cases)
        {
            var bad = Path.Combine(_home.Root, "bad.yaml");
            File.WriteAllText(bad, text);
            var r = CliRunner.Run(_home, "volume", "backup", "record", "import", "--file", goodFile, "--file", bad);
            Assert.True(r.ExitCode == 1, r.ToString());
            Assert.Contains(bad, r.Stderr);
            Assert.Contains(message, r.Stderr);
            Assert.Equal("", Value("volume", "backup", "list", "-c", "ID"));
        }

        // A truncated _metadata document is reported by discovery (exit 1), naming the object; the rest imports.
        var first = expected.Keys.First();
        var meta = Directory.GetFiles(Path.Combine(_home.Home, "backup"), $"*_backup_{first}_metadata", SearchOption.AllDirectories).Single();
        File.WriteAllBytes(meta, File.ReadAllBytes(meta)[..40]);
        var d = CliRunner.Run(_home, "volume", "backup", "record", "discover");
        Assert.True(d.ExitCode == 1, d.ToString());
        Assert.Contains($"ERROR: Backup {first}", d.Stderr);
        Assert.Contains(Path.GetFileName(meta), d.Stderr);
        Assert.Contains("unreadable", d.Stdout);
        Assert.Equal(5, Value("volume", "backup", "list", "-c", "ID").Split('\n').Length);

        // A _metadata document that parses but that import refuses (issue 16: it made discovery import nothing) is
        // reported and the others are imported.
        LoseCatalog();
        var second = expected.Keys.Skip(1).First();
        var secondMeta = Directory.GetFiles(Path.Combine(_home.Home, "backup"), $"*_backup_{second}_metadata", SearchOption.AllDirectories).Single();
        File.WriteAllText(secondMeta, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(secondMeta), "\"parent_id\": [^,]*,", "\"parent_id\": \"zzz\","));
        var d2 = CliRunner.Run(_home, "volume", "backup", "record", "discover");
        Assert.True(d2.ExitCode == 1, d2.ToString());
        Assert.Contains($"ERROR: Backup {second}", d2.Stderr);
        Assert.Contains("parent_id that is not a UUID: 'zzz'", d2.Stderr);
        Assert.Contains("damaged", d2.Stdout);
        Assert.Equal(4, Value("volume", "backup", "list", "-c", "ID").Split('\n').Length);

        // A repository whose directory does not exist.
        _home.WriteConfig($"backup_posix_path: {Path.Combine(_home.Root, "gone")}\n");
        var missing = CliRunner.Run(_home, "volume", "backup", "record", "discover");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains($"its directory '{Path.Combine(_home.Root, "gone")}' does not exist", missing.Stderr);
    }

    [Fact]
    public void CatalogBackupAndRestore()
    {
        var expected = Backups();
        var copy = Path.Combine(_home.Root, "catalog-copy.db");
        var taken = Ok("catalog", "backup", "--to", copy, "-f", "value", "-c", "backups").Stdout.Trim();
        Assert.Equal("6", taken);
        Assert.Equal(1, CliRunner.Run(_home, "catalog", "backup", "--to", copy).ExitCode);

        LoseCatalog();
        Assert.Equal("", Value("volume", "backup", "list", "-c", "ID"));
        var restored = Ok("catalog", "restore", copy, "-f", "json").Stdout;
        Assert.Contains("\"previous_catalog\":", restored);
        Assert.Equal(expected.Keys.Order(), Value("volume", "backup", "list", "-c", "ID").Split('\n').Order());
        RestoreEveryBackupAndCompare(expected.Take(1).ToDictionary(kv => kv.Key, kv => kv.Value));

        var junk = Path.Combine(_home.Root, "junk.db");
        File.WriteAllText(junk, "not a database at all, just text that is long enough to look like a header......");
        var bad = CliRunner.Run(_home, "catalog", "restore", junk);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains($"'{junk}' is not a usable catalog backup", bad.Stderr);
        Assert.Equal(6, Value("volume", "backup", "list", "-c", "ID").Split('\n').Length);
    }
}
