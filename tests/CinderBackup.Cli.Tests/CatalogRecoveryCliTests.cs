using System.Diagnostics;
using System.Text.Json;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// A restored catalog copy never destroys finished backups (issue 16, item 1), through real processes with a slow backup
/// (backup_io_bandwidth_limit: 4MiB, 64 MiB of data): a copy taken while a backup ran, put back after it finished, adopts the
/// backup from its commit point instead of resetting and deleting it; and `catalog restore --force` while a backup or a
/// restore runs carries the running operation into the restored catalog, where it ends normally.
/// </summary>
public sealed class CatalogRecoveryCliTests : IDisposable
{
    private const string Fast = "backup_file_size: 4MiB\n";
    private const int DataMiB = 64;
    private readonly TempHome _home = new();
    private readonly CliProcesses _background = new();

    public CatalogRecoveryCliTests() => _home.WriteConfig(Fast);

    public void Dispose()
    {
        _background.Dispose();
        _home.Dispose();
    }

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    /// <summary>64 MiB at 4 MiB/s: 16 seconds, time enough for other commands to act while it runs on a busy machine.</summary>
    private void Slow() => File.WriteAllText(_home.ConfigPath, Fast + "backup_io_bandwidth_limit: 4MiB\n");

    private string Repo => Path.Combine(_home.Home, "backup");

    private string VolumeWithData(string name, int seed)
    {
        Ok("volume", "create", "--size", "1", name);
        var path = Value("volume", "show", name, "-c", "path");
        Disk.WriteRandom(path, 0, DataMiB << 20, seed);
        return Disk.Sha256(Head(path));
    }

    private Process Background(params string[] args) => _background.Start(_home, args);

    private static CliRunner.Result End(Process p) => CliProcesses.End(p);

    /// <summary>The backup's progress shows in another session: it is transferring data.</summary>
    private bool Transferring(string name)
    {
        var r = CliRunner.Run(_home, "volume", "backup", "show", name, "-f", "json");
        return r.ExitCode == 0 && JsonDocument.Parse(r.Stdout).RootElement.TryGetProperty("progress", out var p) && p.GetString()!.Contains(" MiB of ");
    }

    /// <summary>Every file of the repository, which must all be the backup's: its objects, _sha256file and _metadata.</summary>
    private List<string> Objects(string backupId)
    {
        string prefix;
        using (var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env }))
        {
            prefix = engine.Backups.Get(backupId).ServiceMetadata!;
        }
        var files = RepositoryFiles.Of(Repo).Select(Path.GetFileName).Order().ToList();
        Assert.All(files, f => Assert.StartsWith(prefix, f));
        return files!;
    }

    private string Field(CliRunner.Result r, string name) => JsonDocument.Parse(r.Stdout).RootElement.GetProperty(name).GetString()!;

    /// <summary>Deep verify, then a restore to a new volume whose data must be the source's bytes.</summary>
    private void RestoresByteIdentically(string backup, string sha)
    {
        Ok("volume", "backup", "verify", "--deep", backup);
        var volume = Value("volume", "backup", "restore", "--name", "check-" + backup, backup, "-c", "volume_id");
        Assert.Equal(sha, Disk.Sha256(Head(Value("volume", "show", volume, "-c", "path"))));
    }

    private string Head(string path)
    {
        var copy = _home.File_("head-" + Guid.NewGuid().ToString("N"));
        using var input = File.OpenRead(path);
        using var output = File.Create(copy);
        var buffer = new byte[DataMiB << 20];
        input.ReadExactly(buffer);
        output.Write(buffer);
        return copy;
    }

    [Fact]
    public void ACopyTakenWhileABackupRanAdoptsTheFinishedBackupInsteadOfDeletingIt()
    {
        var sha = VolumeWithData("v", 1);
        Slow();
        var backup = Background("volume", "backup", "create", "--name", "b", "v");
        Poll.Until(() => Transferring("b"), "the backup to transfer data");
        var copy = _home.File_("copy.db");
        Ok("catalog", "backup", "--to", copy);
        Assert.False(backup.HasExited, "the backup ended before the catalog copy was taken; the test proves nothing");
        Assert.Equal(0, End(backup).ExitCode);
        File.WriteAllText(_home.ConfigPath, Fast);
        var id = Value("volume", "backup", "show", "b", "-c", "id");
        var objects = Objects(id);

        var restored = Ok("--debug", "catalog", "restore", copy, "-f", "json");
        Assert.True(Field(restored, "adopted") == id, restored.ToString());
        Assert.Equal("", Field(restored, "carried_forward"));
        Assert.Equal("available", Value("volume", "backup", "show", "b", "-c", "status"));
        Assert.Equal($"{objects.Count - 2}", Value("volume", "backup", "show", "b", "-c", "object_count"));
        Assert.Equal("available", Value("volume", "show", "v", "-c", "status"));
        Ok("volume", "list"); // the next command, as in the report, deletes nothing
        Assert.Equal(objects, Objects(id));
        RestoresByteIdentically("b", sha);
        using var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
        Assert.Equal(1, engine.Quotas.Usage().Single(u => u.Type == "backups").InUse);
    }

    [Fact]
    public void ARestoreForcedWhileABackupRunsCarriesTheBackupForward()
    {
        var sha = VolumeWithData("v", 2);
        var copy = _home.File_("copy.db");
        Ok("catalog", "backup", "--to", copy); // taken before the backup began: it knows nothing of it
        Slow();
        var backup = Background("volume", "backup", "create", "--name", "b", "v");
        Poll.Until(() => Transferring("b"), "the backup to transfer data");
        var id = Value("volume", "backup", "show", "b", "-c", "id");

        var refused = CliRunner.Run(_home, "catalog", "restore", copy);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"Backups are being worked on ({id} (creating))", refused.Stderr);
        var restored = Ok("catalog", "restore", "--force", copy, "-f", "json");
        Assert.False(backup.HasExited, "the backup ended before the catalog was restored; the test proves nothing");
        Assert.Equal(id, Field(restored, "carried_forward"));
        // Still there, still running, the volume still busy: nobody can start on it meanwhile.
        Assert.Equal("creating", Value("volume", "backup", "show", "b", "-c", "status"));
        Assert.Equal("backing-up", Value("volume", "show", "v", "-c", "status"));

        var ended = End(backup);
        Assert.True(ended.ExitCode == 0, ended.ToString());
        File.WriteAllText(_home.ConfigPath, Fast);
        Assert.Equal("available", Value("volume", "backup", "show", "b", "-c", "status"));
        Assert.Equal("available", Value("volume", "show", "v", "-c", "status"));
        RestoresByteIdentically("b", sha);
        using var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
        Assert.Equal(1, engine.Quotas.Usage().Single(u => u.Type == "backups").InUse);
        Assert.Equal(int.Parse(Value("volume", "backup", "show", "b", "-c", "object_count")) + 2, Objects(id).Count); // nothing orphaned, nothing missing
    }

    [Fact]
    public void ARestoreForcedWithACopyTakenDuringTheSameBackupKeepsTheRunningBackup()
    {
        var sha = VolumeWithData("v", 3);
        Slow();
        var backup = Background("volume", "backup", "create", "--name", "b", "v");
        Poll.Until(() => Transferring("b"), "the backup to transfer data");
        var copy = _home.File_("copy.db");
        Ok("catalog", "backup", "--to", copy);
        Ok("catalog", "restore", "--force", copy);
        Assert.False(backup.HasExited, "the backup ended before the catalog was restored; the test proves nothing");
        Assert.Equal("creating", Value("volume", "backup", "show", "b", "-c", "status"));
        Assert.Equal(0, End(backup).ExitCode);
        File.WriteAllText(_home.ConfigPath, Fast);
        Assert.Equal("available", Value("volume", "backup", "show", "b", "-c", "status"));
        RestoresByteIdentically("b", sha);
    }

    [Fact]
    public void ARestoreForcedWhileAVolumeIsRestoredCarriesTheNewVolumeForward()
    {
        var sha = VolumeWithData("v", 4);
        Ok("volume", "backup", "create", "--name", "b", "v");
        var copy = _home.File_("copy.db");
        Ok("catalog", "backup", "--to", copy); // before the restore made its volume
        // A restore is throttled over the whole 1 GiB volume, holes included: 32 MiB/s gives it about 30 seconds.
        File.WriteAllText(_home.ConfigPath, Fast + "backup_io_bandwidth_limit: 32MiB\n");
        var restore = Background("volume", "backup", "restore", "--name", "target", "b");
        Poll.Until(() => CliRunner.Run(_home, "volume", "show", "target").ExitCode == 0 && Transferring("b"), "the restore to write data");
        Ok("catalog", "restore", "--force", copy);
        Assert.False(restore.HasExited, "the restore ended before the catalog was restored; the test proves nothing");
        Assert.Equal("restoring-backup", Value("volume", "show", "target", "-c", "status"));
        var ended = End(restore);
        Assert.True(ended.ExitCode == 0, ended.ToString());
        File.WriteAllText(_home.ConfigPath, Fast);
        Assert.Equal("available", Value("volume", "show", "target", "-c", "status"));
        Assert.Equal("available", Value("volume", "backup", "show", "b", "-c", "status"));
        Assert.Equal(sha, Disk.Sha256(Head(Value("volume", "show", "target", "-c", "path"))));
    }
}
