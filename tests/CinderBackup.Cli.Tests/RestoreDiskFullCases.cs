using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// A restore from a remote repository (Swift, Ceph) into a data directory whose file system fills up (a real tmpfs, root
/// only), as <see cref="DiskFullCliTests"/> does for posix: the error names the full directory, the backup is available
/// again with the reason recorded, the new volume is error, no owner or quota reservation is left, and once space is
/// back the next restore is byte-identical. A derived class supplies the repository.
/// </summary>
public abstract class RestoreDiskFullCases : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    /// <summary>The config of the repository under test (YAML).</summary>
    protected abstract string RepositoryConfig { get; }

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    [Fact]
    public void ARestoreThatFillsTheDataDirectoryNamesItAndTheNextRestoreWorks()
    {
        using var disk = SmallDisk.Mount(_home.File_("small-home"), 40);
        if (disk is null)
        {
            return; // needs root to mount a small file system
        }
        // The catalog and the pool on the small disk; the source image outside it.
        var home = Path.Combine(disk.Path_, "home");
        _home.Set("CINDERBACKUP_HOME", home);
        _home.WriteConfig(RepositoryConfig);
        File.SetUnixFileMode(_home.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var image = _home.File_("source.img");
        File.WriteAllBytes(image, new byte[30 << 20]);
        Disk.WriteRandom(image, 0, 30 << 20, 7); // random: it does not compress
        CliRunner.Ok(_home, "volume", "register", "--path", image, "src");
        var backup = Value("volume", "backup", "create", "src", "-c", "id");
        var filler = SmallDisk.Fill(disk.Path_, 12);

        var r = CliRunner.Run(_home, "volume", "backup", "restore", "--name", "target", backup);
        Assert.True(r.ExitCode == 1, r.ToString());
        var full = $"No space left on device: the file system holding '{Path.Combine(home, "volumes")}' is full";
        Assert.True(r.Stderr.Contains(full, StringComparison.Ordinal) && !r.Stderr.Contains("Exception", StringComparison.Ordinal), r.ToString());
        Assert.Equal("available", Value("volume", "backup", "show", backup, "-c", "status"));
        Assert.Contains(full, Value("volume", "backup", "show", backup, "-c", "fail_reason"));
        Assert.Equal("error", Value("volume", "show", "target", "-c", "status"));
        using (var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env }))
        {
            Assert.Null(engine.Backups.OwnerProcess(backup));
            Assert.All(engine.Quotas.Usage(), u => Assert.True(u.Reserved == 0, $"{u.Type}: {u.Reserved} reserved"));
        }

        File.Delete(filler);
        CliRunner.Ok(_home, "volume", "delete", "target");
        var again = Value("volume", "backup", "restore", "--name", "again", backup, "-c", "volume_id");
        Assert.Equal("available", Value("volume", "show", again, "-c", "status"));
        var restored = new byte[30 << 20];
        using (var fs = File.OpenRead(Value("volume", "show", again, "-c", "path")))
        {
            fs.ReadExactly(restored);
        }
        Assert.True(File.ReadAllBytes(image).AsSpan().SequenceEqual(restored), "the restore after freeing space differs from the source");
    }
}
