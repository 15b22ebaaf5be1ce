using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace CinderBackup.Cli.Tests;

/// <summary>Backups through the real cinder-backup process: the seeds' procedures and outputs.</summary>
public sealed class BackupCliTests : IDisposable
{
    private readonly TempHome _home = new();

    public BackupCliTests() => _home.WriteConfig("backup_file_size: 8MiB\n");

    public void Dispose() => _home.Dispose();

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    private string VolumeWithData(string name)
    {
        Ok("volume", "create", "--size", "1", name);
        var path = Value("volume", "show", name, "-c", "path");
        Disk.WriteRandom(path, 0, 3 << 20, seed: 1);
        Disk.WriteRandom(path, 700L << 20, 1 << 20, seed: 2);
        return path;
    }

    private static string Sha(string path) => Disk.Sha256(path);

    [Fact]
    public void TheSeedsBackupCycle()
    {
        var path = VolumeWithData("myvol10");
        var created = Ok("volume", "backup", "create", "myvol10", "--name", "myvol10-initial", "--description", "Initial backup of myvol10").Stdout;
        Assert.Matches(@"^\+-------\+--------------------------------------\+\n\| Field \| Value                                \|\n\+-------\+--------------------------------------\+\n\| id    \| [0-9a-f-]{36} \|\n\| name  \| myvol10-initial                      \|\n\+-------\+--------------------------------------\+\n$", created);

        var show = Ok("volume", "backup", "show", "myvol10-initial").Stdout;
        var fields = show.Split('\n').Where(l => l.StartsWith("| ") && !l.StartsWith("| Field")).Select(l => l.Split('|')[1].Trim()).ToList();
        Assert.Equal(new[] { "availability_zone", "bytes_changed", "bytes_read", "bytes_stored", "container", "created_at", "data_timestamp", "description",
            "duration", "fail_reason", "has_dependent_backups", "id", "is_incremental", "name", "object_count", "rate", "repository", "repository_location", "size", "snapshot_id", "status", "updated_at", "volume_id" }, fields);
        Assert.Matches(@"\| repository +\| default +\|", show);
        Assert.Contains($"| repository_location   | {Path.Combine(_home.Home, "backup")} ", show);
        Assert.Matches(@"\| is_incremental +\| False +\|", show);
        Assert.Matches(@"\| status +\| available +\|", show);

        Disk.WriteRandom(path, 100 << 20, 4096, seed: 3);
        Ok("volume", "backup", "create", "myvol10", "--name", "myvol10-incr1", "--description", "First incremental of myvol10", "--incremental");
        Assert.Equal("True", Value("volume", "backup", "show", "myvol10-incr1", "-c", "is_incremental"));
        Assert.Equal("True", Value("volume", "backup", "show", "myvol10-initial", "-c", "has_dependent_backups"));

        var list = Ok("volume", "backup", "list").Stdout.Split('\n');
        Assert.Equal("| ID                                   | Name            | Description                  | Status    | Size |", list[1]);
        Assert.Matches(@"^\| [0-9a-f-]{36} \| myvol10-incr1   \| First incremental of myvol10 \| available \|    1 \|$", list[3]);

        var delete = CliRunner.Run(_home, "volume", "backup", "delete", "myvol10-initial");
        Assert.Equal(1, delete.ExitCode);
        Assert.Equal("Failed to delete backup with name or ID 'myvol10-initial': Invalid backup: Incremental backups exist for this backup. (HTTP 400)\n1 of 1 backups failed to delete.\n", delete.Stderr);

        var restore = Ok("volume", "backup", "restore", "myvol10-incr1").Stdout;
        var newId = restore.Split('\n').First(l => l.StartsWith("| volume_id")).Split('|')[2].Trim();
        Assert.Contains("| volume_name | myvol10", restore);
        Assert.Equal(Sha(path), Sha(Value("volume", "show", newId, "-c", "path")));

        Ok("volume", "create", "--size", "1", "myvol-restored");
        var over = Ok("volume", "backup", "restore", "myvol10-initial", "myvol-restored", "--force").Stdout;
        Assert.Contains("| volume_name | myvol-restored", over);

        var verify = Ok("volume", "backup", "verify", "--deep", "myvol10-incr1", "-f", "json").Stdout;
        Assert.True(JsonDocument.Parse(verify).RootElement.GetProperty("valid").GetBoolean());

        Ok("volume", "backup", "delete", "myvol10-incr1", "myvol10-initial");
        Assert.Equal("\n", Ok("volume", "backup", "list").Stdout);
    }

    [Fact]
    public void DebugShowsWhatTheOperationDoes()
    {
        VolumeWithData("v");
        var r = Ok("--debug", "volume", "backup", "create", "--name", "b", "v");
        Assert.Contains("DEBUG: Backup ", r.Stderr);
        Assert.Contains(": full backup of volume ", r.Stderr);
        Assert.Contains("container '", r.Stderr);
        Assert.DoesNotContain("DEBUG", Ok("volume", "backup", "create", "--name", "c", "v").Stderr);
        r = Ok("volume", "backup", "restore", "--debug", "b");
        Assert.Contains("objects read", r.Stderr);
        Assert.Matches(@"\| ID +\| Name +\| Description +\| Status +\| Size +\| Project +\| User +\|", Ok("volume", "backup", "list", "--all-projects").Stdout);
    }

    [Fact]
    public void RecordExportYamlAndImport()
    {
        VolumeWithData("vol_1");
        Ok("volume", "backup", "create", "--name", "vol1bu2", "vol_1");
        var yaml = Ok("volume", "backup", "record", "export", "-f", "yaml", "vol1bu2").Stdout;
        var lines = yaml.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("backup_service: cinder.backup.drivers.posix.PosixBackupDriver", lines[0]);
        Assert.Matches("^backup_url: eyJkcml2ZXJfaW5mbyI6IHt9[A-Za-z0-9+/]+=*$", lines[1]);
        var url = lines[1]["backup_url: ".Length..];
        var id = Value("volume", "backup", "show", "vol1bu2", "-c", "id");

        var dup = CliRunner.Run(_home, "volume", "backup", "record", "import", "cinder.backup.drivers.posix.PosixBackupDriver", url);
        Assert.Equal("Invalid backup: Backup already exists in database. (HTTP 400)\n", dup.Stderr);

        // Lose the catalog; the record brings the backup back.
        _home.LoseCatalog();
        var imported = Ok("volume", "backup", "record", "import", "cinder.backup.drivers.posix.PosixBackupDriver", url).Stdout;
        Assert.Contains($"| id    | {id} |", imported);
        Assert.Contains("| name  | vol1bu2 ", imported);
        Assert.Equal("available", Value("volume", "backup", "show", id, "-c", "status"));
        Ok("volume", "backup", "restore", id);

        var bad = CliRunner.Run(_home, "volume", "backup", "record", "import", "x", "not-base64!");
        Assert.Equal("Invalid input received: Can't parse backup record. (HTTP 400)\n", bad.Stderr);
    }

    [Fact]
    public void BadInputIsRefusedAndChangesNothing()
    {
        VolumeWithData("v");
        Ok("volume", "attach", "--instance", "inst1", "--device", "/dev/vdc", "v");
        var r = CliRunner.Run(_home, "volume", "backup", "create", "v");
        Assert.Equal("Invalid volume: Backing up an in-use volume must use the force flag. (HTTP 400)\n", r.Stderr);
        r = CliRunner.Run(_home, "volume", "backup", "create", "--incremental", "--force", "v");
        Assert.Equal("Invalid backup: No backups available to do an incremental backup. (HTTP 400)\n", r.Stderr);
        r = CliRunner.Run(_home, "volume", "backup", "create", "--container", "../out", "--force", "v");
        Assert.Contains("Invalid container '../out'", r.Stderr);
        r = CliRunner.Run(_home, "volume", "backup", "create", "missing");
        Assert.Equal("No volume with a name or ID of 'missing' exists.\n", r.Stderr);
        Assert.Equal("\n", Ok("volume", "backup", "list").Stdout);
        Assert.Equal("in-use", Value("volume", "show", "v", "-c", "status"));

        Ok("volume", "backup", "create", "--force", "--name", "b", "v");
        r = CliRunner.Run(_home, "volume", "backup", "restore", "b", "v");
        Assert.Equal("Invalid volume: Volume to be restored to must be available (HTTP 400)\n", r.Stderr);
        r = CliRunner.Run(_home, "volume", "backup", "show", "nope");
        Assert.Equal("No backup with a name or ID of 'nope' exists.\n", r.Stderr);
    }

    [Fact]
    public void VerifyReportsTheBadObjectWithExitCodeOne()
    {
        VolumeWithData("v");
        Ok("volume", "backup", "create", "--name", "b", "--compression", "none", "v");
        var container = Value("volume", "backup", "show", "b", "-c", "container");
        var dir = Path.Combine(_home.Home, "backup", container);
        var victim = Directory.GetFiles(dir).Where(f => f.EndsWith("-00001")).Single();
        var bytes = File.ReadAllBytes(victim);
        bytes[1000] ^= 0xff;
        File.WriteAllBytes(victim, bytes);
        var r = CliRunner.Run(_home, "volume", "backup", "verify", "--deep", "b");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(Path.GetFileName(victim), r.Stderr);
        Assert.Contains("at volume offset 0", r.Stderr);
        Assert.Matches(@"\| valid +\| False", r.Stdout);
    }

    [Fact]
    public void A2GiBVolumeWith1GiBObjectsStaysUnder256MiB()
    {
        File.WriteAllText(_home.ConfigPath, "backup_file_size: 1GiB\nbackup_compression_algorithm: zstd\n");
        Ok("volume", "create", "--size", "2", "big");
        var path = Value("volume", "show", "big", "-c", "path");
        // Fill the whole volume with data (no holes), compressible so the repository stays small.
        var line = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 16384).Select(i => $"{i:x8} payload\n")));
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            var chunk = new byte[8 << 20];
            for (var i = 0; i < chunk.Length; i += line.Length)
            {
                Array.Copy(line, 0, chunk, i, Math.Min(line.Length, chunk.Length - i));
            }
            for (long written = 0; written < 2L << 30; written += chunk.Length)
            {
                chunk[0] = (byte)(written >> 23); // vary the chunks a little
                fs.Write(chunk);
            }
        }
        var backupPeak = PeakRss(out var backupRun, "volume", "backup", "create", "--name", "big-full", "big");
        Assert.True(backupRun.ExitCode == 0, backupRun.ToString());
        Assert.True(backupPeak < 256L << 20, $"backup peaked at {backupPeak >> 20} MiB");
        var restorePeak = PeakRss(out var restoreRun, "volume", "backup", "restore", "big-full");
        Assert.True(restoreRun.ExitCode == 0, restoreRun.ToString());
        Assert.True(restorePeak < 256L << 20, $"restore peaked at {restorePeak >> 20} MiB");
        var restoredId = restoreRun.Stdout.Split('\n').First(l => l.StartsWith("| volume_id")).Split('|')[2].Trim();
        Assert.Equal(Sha(path), Sha(Value("volume", "show", restoredId, "-c", "path")));
    }

    /// <summary>Runs the CLI and samples its high-water resident set size (VmHWM) until it exits.</summary>
    private long PeakRss(out CliRunner.Result result, params string[] args)
    {
        var psi = CliRunner.Start(_home, args);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!p.HasExited)
        {
            try
            {
                foreach (var l in File.ReadLines($"/proc/{p.Id}/status"))
                {
                    if (l.StartsWith("VmHWM:"))
                    {
                        peak = Math.Max(peak, long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024);
                    }
                }
            }
            catch (IOException)
            {
            }
            Thread.Sleep(20);
        }
        p.WaitForExit();
        result = new CliRunner.Result(p.ExitCode, stdout.Result, stderr.Result);
        Assert.True(peak > 0, "no memory samples were taken");
        return peak;
    }
}
