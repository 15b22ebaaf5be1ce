using System.Diagnostics;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// Resource faults: the repository's file system fills up during a backup (a real 16 MiB tmpfs when this process may
/// mount one, and an injected ENOSPC in any case), and an I/O error while a restore writes. The operation ends in
/// error with the reason, partial objects are removed, the catalog stays consistent, and the next backup works.
/// </summary>
public sealed class DiskFullCliTests : IDisposable
{
    private readonly TempHome _home = new();
    private string? _mounted;

    public DiskFullCliTests() => _home.WriteConfig("backup_file_size: 1MiB\n");

    public void Dispose()
    {
        if (_mounted is not null)
        {
            Run("umount", _mounted);
        }
        _home.Dispose();
    }

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    private static int Run(string file, params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    private void VolumeWithData(string name, int mib, int seed)
    {
        Ok("volume", "create", "--size", "1", name);
        Disk.WriteRandom(Value("volume", "show", name, "-c", "path"), 0, mib << 20, seed); // random: it does not compress
    }

    /// <summary>The failed backup is error with a reason, its volume is back, and nothing of it is left in the repository.</summary>
    private void AssertCleanFailure(CliRunner.Result r, string repository, string reasonFragment)
    {
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains(reasonFragment, r.Stderr);
        using var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
        var failed = engine.Backups.List().Single(b => b.Name == "big");
        Assert.Equal("error", failed.Status);
        Assert.Contains(reasonFragment, failed.FailReason);
        Assert.Equal("available", engine.Volumes.Get("v").Status);
        Assert.Empty(Directory.EnumerateFiles(repository, "*", SearchOption.AllDirectories));
        var usage = engine.Quotas.Usage().ToDictionary(u => u.Type);
        Assert.Equal(((long)engine.Backups.List().Count, 0L), (usage["backups"].InUse, usage["backups"].Reserved)); // the failed one counts until deleted, as in Cinder
        engine.Backups.Delete(failed.Id);
    }

    [Fact]
    public void ARepositoryThatFillsUpFailsTheBackupCleanly()
    {
        var repository = _home.File_("small-repo");
        Directory.CreateDirectory(repository);
        if (Environment.UserName == "root" && Run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", repository) == 0)
        {
            _mounted = repository;
            _home.WriteConfig($"backup_file_size: 4MiB\nbackup_posix_path: {repository}\n"); // few objects: each takes a page
            VolumeWithData("v", 24, 1); // 24 MiB that does not compress, for 16 MiB of space
            var r = CliRunner.Run(_home, "volume", "backup", "create", "--name", "big", "v");
            AssertCleanFailure(r, repository, "No space left on device");
            // The space came back: a backup that fits succeeds.
            var path = Value("volume", "show", "v", "-c", "path");
            using (var fs = new FileStream(path, FileMode.Open))
            {
                fs.Write(new byte[24 << 20]); // zeros are not stored
            }
            Disk.WriteRandom(path, 0, 2 << 20, 2);
            Ok("volume", "backup", "create", "--name", "fits", "v");
            Assert.Equal("available", Value("volume", "backup", "show", "fits", "-c", "status"));
        }

        // Injected, where mounting is not possible (and always, to pin the behaviour): ENOSPC at the third object.
        var local = Path.Combine(_home.Home, "backup-injected");
        _home.WriteConfig($"backup_file_size: 1MiB\nbackup_posix_path: {local}\n");
        if (CliRunner.Run(_home, "volume", "show", "v").ExitCode != 0)
        {
            VolumeWithData("v", 12, 1);
        }
        _home.Set("CINDERBACKUP_FAULT", "backup.object.staged#3:enospc");
        var injected = CliRunner.Run(_home, "volume", "backup", "create", "--name", "big", "v");
        _home.Set("CINDERBACKUP_FAULT", null);
        AssertCleanFailure(injected, local, "No space left on device");
    }

    [Fact]
    public void AnIOErrorWhileRestoringFailsTheRestoreAndKeepsTheBackup()
    {
        VolumeWithData("v", 6, 3);
        var backup = Value("volume", "backup", "create", "v", "-c", "id");
        _home.Set("CINDERBACKUP_FAULT", "restore.write#2:eio");
        var r = CliRunner.Run(_home, "volume", "backup", "restore", "--name", "target", backup);
        _home.Set("CINDERBACKUP_FAULT", null);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Input/output error", r.Stderr);
        Assert.Equal("available", Value("volume", "backup", "show", backup, "-c", "status"));
        Assert.Equal("error", Value("volume", "show", "target", "-c", "status")); // a new volume; an existing one would be error_restoring
        // The backup itself is fine: the next restore succeeds.
        var again = Value("volume", "backup", "restore", "--name", "again", backup, "-c", "volume_id");
        Assert.Equal("available", Value("volume", "show", again, "-c", "status"));
    }
}
