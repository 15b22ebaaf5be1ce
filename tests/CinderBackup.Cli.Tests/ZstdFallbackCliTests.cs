using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// zstd through ZstdSharp, the fallback where no system libzstd loads (Windows, macOS), forced here with
/// CINDERBACKUP_ZSTD=managed: a backup made that way verifies and restores; killed part way, or out of space, it
/// is cleaned up as any backup is; a bad value of the variable is refused before anything is recorded.
/// </summary>
public sealed class ZstdFallbackCliTests : IDisposable
{
    private const int Killed = 137; // 128 + SIGKILL
    private readonly TempHome _home = new();

    public ZstdFallbackCliTests()
    {
        _home.WriteConfig("backup_file_size: 1MiB\nbackup_compression_algorithm: zstd\n");
        _home.Set("CINDERBACKUP_ZSTD", "managed");
    }

    public void Dispose() => _home.Dispose();

    private string Repo => Path.Combine(_home.Home, "backup");

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    /// <summary>A 1 GiB volume with 6 MiB of text (it compresses) and 1 MiB of random bytes.</summary>
    private string VolumeWithText(string name)
    {
        CliRunner.Ok(_home, "volume", "create", "--size", "1", name);
        var path = Value("volume", "show", name, "-c", "path");
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 300_000).Select(i => $"{name} line {i} of the zstd test\n")));
        using (var fs = new FileStream(path, FileMode.Open))
        {
            fs.Write(text.AsSpan(0, 6 << 20));
        }
        Disk.WriteRandom(path, 6 << 20, 1 << 20, 7);
        return path;
    }

    private static string Prefix(string path, int length)
    {
        using var fs = File.OpenRead(path);
        var bytes = new byte[length];
        fs.ReadExactly(bytes);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes));
    }

    [Fact]
    public void AManagedZstdBackupVerifiesAndRestores()
    {
        var source = VolumeWithText("v");
        var id = Value("volume", "backup", "create", "--name", "managed", "v", "-c", "id");
        Assert.Equal("available", Value("volume", "backup", "show", id, "-c", "status"));
        var metadata = Directory.EnumerateFiles(Repo, "*_metadata", SearchOption.AllDirectories).Single();
        Assert.Contains("\"compression\": \"zstd\"", File.ReadAllText(metadata));
        CliRunner.Ok(_home, "volume", "backup", "verify", "--deep", id);
        // Read back with the fast path (readers always take libzstd where it loads).
        _home.Set("CINDERBACKUP_ZSTD", null);
        var restored = Value("volume", "backup", "restore", "--name", "back", id, "-c", "volume_id");
        Assert.Equal(Prefix(source, 7 << 20), Prefix(Value("volume", "show", restored, "-c", "path"), 7 << 20));
    }

    [Fact]
    public void AManagedZstdBackupKilledOrOutOfSpaceIsCleanedUp()
    {
        VolumeWithText("v");
        foreach (var (point, name) in new[] { ("backup.object.staged#3:kill", "killed"), ("backup.object.staged#3:enospc", "full") })
        {
            _home.Set("CINDERBACKUP_FAULT", point);
            var r = CliRunner.Run(_home, "volume", "backup", "create", "--name", name, "v");
            _home.Set("CINDERBACKUP_FAULT", null);
            Assert.True(r.ExitCode == (name == "killed" ? Killed : 1), $"{point}\n{r}");
            using var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
            var b = engine.Backups.Get(name);
            Assert.Equal("error", b.Status);
            Assert.Contains(name == "killed" ? "incomplete backup reset on manager restart" : "No space left on device", b.FailReason);
            Assert.Equal("available", engine.Volumes.Get("v").Status);
            Assert.Empty(RepositoryFiles.Of(Repo));
            engine.Backups.Delete(b.Id);
        }
        // The next backup works.
        var after = Value("volume", "backup", "create", "--name", "after", "v", "-c", "id");
        Assert.Equal("available", Value("volume", "backup", "show", after, "-c", "status"));
    }

    [Fact]
    public void ABadZstdImplementationIsRefusedBeforeAnythingIsRecorded()
    {
        VolumeWithText("v");
        _home.Set("CINDERBACKUP_ZSTD", "fast");
        var r = CliRunner.Run(_home, "volume", "backup", "create", "--name", "refused", "v");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("CINDERBACKUP_ZSTD must be 'native' or 'managed', not 'fast'.", r.Stderr);
        Assert.Equal("", Value("volume", "backup", "list", "-c", "ID"));
        Assert.Empty(RepositoryFiles.Of(Repo));
        // Another codec does not care.
        var zlib = Value("volume", "backup", "create", "--compression", "zlib", "v", "-c", "id");
        Assert.Equal("available", Value("volume", "backup", "show", zlib, "-c", "status"));
    }
}
