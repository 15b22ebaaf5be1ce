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
            CliRunner.Tool("umount", _mounted);
        }
        _home.Dispose();
    }

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

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
        Assert.DoesNotContain(Directory.EnumerateFiles(repository, "*", SearchOption.AllDirectories), f => Path.GetFileName(f) != ".cinderbackup-repository"); // the marker stays
        var usage = engine.Quotas.Usage().ToDictionary(u => u.Type);
        Assert.Equal(((long)engine.Backups.List().Count, 0L), (usage["backups"].InUse, usage["backups"].Reserved)); // the failed one counts until deleted, as in Cinder
        engine.Backups.Delete(failed.Id);
    }

    [Fact]
    public void ARepositoryThatFillsUpFailsTheBackupCleanly()
    {
        var repository = _home.File_("small-repo");
        Directory.CreateDirectory(repository);
        if (Environment.UserName == "root" && CliRunner.Tool("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", repository) == 0)
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

    /// <summary>Mounts a tmpfs of <paramref name="mib"/> MiB at a fresh directory (root only); null where that is not possible.</summary>
    private string? Mount(string name, int mib)
    {
        var disk = SmallDisk.Mount(_home.File_(name), mib);
        _mounted = disk?.Path_;
        return disk?.Path_;
    }

    private static string Fill(string dir, int leaveMiB) => SmallDisk.Fill(dir, leaveMiB);

    [Fact]
    public void AFullDataDirectoryIsNamedByEveryCommandAndNothingChanges()
    {
        var disk = Mount("full-home", 8);
        if (disk is null)
        {
            return; // needs root to mount a small file system
        }
        _home.Set("CINDERBACKUP_HOME", Path.Combine(disk, "home"));
        Ok("volume", "create", "--size", "1", "v");
        var filler = Fill(disk, 0);
        foreach (var args in new[] { new[] { "volume", "list" }, new[] { "volume", "create", "--size", "1", "w" }, new[] { "volume", "backup", "list" } })
        {
            var r = CliRunner.Run(_home, args);
            if (r.ExitCode == 0 && args[1] == "list")
            {
                continue; // a read may get through when SQLite's side files exist; it must not fail obscurely
            }
            Assert.True(r.ExitCode == 1, r.ToString());
            Assert.Contains($"No space left on device: the file system holding '{Path.Combine(disk, "home")}' is full", r.Stderr);
            Assert.Contains("catalog.db' cannot be opened or written there", r.Stderr);
            Assert.DoesNotContain("SQLite Error", r.Stderr);
        }
        File.Delete(filler);
        Assert.Equal("v", Value("volume", "list", "-c", "Name"));
        Assert.Equal(new[] { "volume-" + Value("volume", "show", "v", "-c", "id") }, Directory.GetFiles(Path.Combine(disk, "home", "volumes")).Select(Path.GetFileName));
    }

    [Fact]
    public void ARestoreThatFillsTheDataDirectorySaysWhichAndRecordsTheReason()
    {
        var disk = Mount("nearly-full-home", 40);
        if (disk is not null)
        {
            // The catalog and the pool on a small disk; the source image and the repository elsewhere.
            _home.Set("CINDERBACKUP_HOME", Path.Combine(disk, "home"));
            _home.WriteConfig($"backup_file_size: 4MiB\nbackup_posix_path: {_home.File_("repo")}\n");
            var image = _home.File_("source.img");
            File.WriteAllBytes(image, new byte[30 << 20]);
            Disk.WriteRandom(image, 0, 30 << 20, 5);
            Ok("volume", "register", "--path", image, "src");
            var backup = Value("volume", "backup", "create", "src", "-c", "id");
            var filler = Fill(disk, 12);
            var r = CliRunner.Run(_home, "volume", "backup", "restore", "--name", "target", backup);
            Assert.True(r.ExitCode == 1, r.ToString());
            var full = $"No space left on device: the file system holding '{Path.Combine(disk, "home", "volumes")}' is full";
            Assert.Contains(full, r.Stderr);
            Assert.DoesNotContain("SqliteException", r.Stderr);
            Assert.Equal("available", Value("volume", "backup", "show", backup, "-c", "status"));
            Assert.Contains(full, Value("volume", "backup", "show", backup, "-c", "fail_reason"));
            Assert.Equal("error", Value("volume", "show", "target", "-c", "status"));
            File.Delete(filler);
            Ok("volume", "delete", "target");
            var again = Value("volume", "backup", "restore", "--name", "again", backup, "-c", "volume_id");
            var restored = new byte[30 << 20];
            using (var fs = File.OpenRead(Value("volume", "show", again, "-c", "path")))
            {
                fs.ReadExactly(restored);
            }
            Assert.True(File.ReadAllBytes(image).AsSpan().SequenceEqual(restored), "the restore after freeing space differs from the source");
            return;
        }

        // Injected where mounting is not possible: ENOSPC at the second write of a restore over an existing volume.
        VolumeWithData("v", 6, 3);
        var id = Value("volume", "backup", "create", "v", "-c", "id");
        Ok("volume", "create", "--size", "1", "over");
        _home.Set("CINDERBACKUP_FAULT", "restore.write#2:enospc");
        var injected = CliRunner.Run(_home, "volume", "backup", "restore", id, "over", "--force");
        _home.Set("CINDERBACKUP_FAULT", null);
        Assert.Equal(1, injected.ExitCode);
        var named = $"No space left on device: the file system holding '{Path.Combine(_home.Home, "volumes")}' is full";
        Assert.Contains(named, injected.Stderr);
        Assert.Contains(named, Value("volume", "backup", "show", id, "-c", "fail_reason"));
        Assert.Equal("error_restoring", Value("volume", "show", "over", "-c", "status"));
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
