using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// kill -9 of the process running a backup to a Swift repository (a real Swift all-in-one the test starts), and of
/// one restoring from it, at the engine's fault points, as <see cref="CrashCliTests"/> does for posix: the next process
/// leaves the catalog consistent, no object of a reset backup stays in the container and no staging file in the data
/// directory, and the backups made before keep verifying and restoring byte-identically.
/// </summary>
public sealed class SwiftCrashCliTests : IClassFixture<SwiftServer>, IDisposable
{
    private const int Killed = 137;
    private readonly TempHome _home = new();
    private readonly SwiftServer _swift;
    private readonly string _container = "crash-" + Guid.NewGuid().ToString("N");

    public SwiftCrashCliTests(SwiftServer swift)
    {
        _swift = swift;
        _home.WriteConfig(string.Join("\n",
            "backup_driver: swift",
            "backup_swift_auth: single_user",
            $"backup_swift_auth_url: {swift.AuthUrl}",
            $"backup_swift_user: {SwiftServer.User}",
            $"backup_swift_key: {SwiftServer.Key}",
            $"backup_swift_container: {_container}",
            "backup_swift_object_size: 1MiB",
            "backup_workers: 2",
            "quota_backups: 100",
            ""));
        File.SetUnixFileMode(_home.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void Dispose() => _home.Dispose();

    private BackupEngine Open() => BackupEngine.Open(new EngineOptions { Environment = _home.Env });

    private void Crash(string point, params string[] args)
    {
        _home.Set("CINDERBACKUP_FAULT", point);
        try
        {
            var r = CliRunner.Run(_home, args);
            Assert.True(r.ExitCode == Killed, $"{point}: expected the process to be killed there\n{r}");
        }
        finally
        {
            _home.Set("CINDERBACKUP_FAULT", null);
        }
    }

    /// <summary>A registered 8 MiB image (8 objects of 1 MiB) of random data and text.</summary>
    private (BlockVolume Volume, string Sha) Image(BackupEngine engine, string name, int seed)
    {
        var path = _home.File_(name + ".img");
        using (var fs = new FileStream(path, FileMode.Create))
        {
            fs.SetLength(8 << 20);
        }
        Disk.WriteRandom(path, 0, 5 << 20, seed);
        return (engine.Volumes.Register(name, path), Disk.Sha256(path));
    }

    /// <summary>Opens the catalog as the next process would and checks it, the container and the staging folder.</summary>
    private BackupEngine Reopen(string what)
    {
        var engine = Open();
        var backups = engine.Backups.List();
        Assert.All(backups, b => Assert.True(b.Status is "available" or "error", $"{what}: backup {b.Id} is {b.Status}"));
        Assert.All(engine.Volumes.List(), v => Assert.True(v.Status is "available" or "error" or "error_restoring", $"{what}: volume {v.Name} is {v.Status}"));
        var usage = engine.Quotas.Usage().ToDictionary(u => u.Type);
        Assert.Equal(backups.Count, usage["backups"].InUse);
        Assert.Equal(0, usage["backups"].Reserved);
        var available = backups.Where(b => b.Status == "available").Select(b => b.ServiceMetadata!).ToList();
        foreach (var name in _swift.Objects(_container).Where(n => n != ".cinderbackup-repository"))
        {
            Assert.True(available.Any(p => name.StartsWith(p, StringComparison.Ordinal)), $"{what}: stray object {name}");
        }
        var staging = Path.Combine(_home.Home, "tmp", "swift-staging");
        Assert.True(!Directory.Exists(staging) || !Directory.EnumerateFiles(staging).Any(), $"{what}: staging files left in {staging}");
        return engine;
    }

    [Fact]
    public void BackupsKilledAtAnyPointAreCleanedUp()
    {
        string source, baseSha;
        VolumeBackup baseline;
        using (var engine = Open())
        {
            var (baseVolume, sha) = Image(engine, "base", 1);
            baseSha = sha;
            baseline = engine.Backups.Create(new BackupCreateOptions { Volume = baseVolume.Id, Name = "baseline" });
            source = Image(engine, "work", 2).Volume.Id;
            engine.Backups.Create(new BackupCreateOptions { Volume = source, Name = "work-full" });
            Disk.WriteRandom(engine.Volumes.Get(source).Path, 3 << 20, 1 << 20, 3);
        }
        var points = new (string Point, bool Incremental)[]
        {
            ("backup.prepared", false), ("backup.object.staged#1", false), ("backup.object.staged#4", false),
            ("backup.object.committed#1", false), ("backup.object.committed#5", false), ("backup.object.committed#8", false),
            ("backup.sha256file.staged", false), ("backup.metadata.staged", false), ("backup.metadata.committed", false), ("backup.finished", false),
            ("backup.object.committed#1", true), ("backup.sha256file.staged", true), ("backup.metadata.committed", true),
        };
        var n = 0;
        foreach (var (point, incremental) in points)
        {
            n++;
            var args = new List<string> { "volume", "backup", "create", "--name", "crash-" + n, source };
            if (incremental)
            {
                args.Add("--incremental");
            }
            Crash(point, args.ToArray());
            using var engine = Reopen(point);
            var b = engine.Backups.Get("crash-" + n);
            if (point is "backup.finished" or "backup.metadata.committed")
            {
                Assert.Equal("available", b.Status); // past its commit point: adopted, never reset
                Assert.True(engine.Backups.Verify(b.Id, deep: true).IsValid, point);
            }
            else
            {
                Assert.Equal(("error", "incomplete backup reset on manager restart"), (b.Status, b.FailReason));
            }
            Assert.Equal("available", engine.Volumes.Get(source).Status);
            engine.Backups.Delete(b.Id);
        }
        using (var engine = Reopen("the end"))
        {
            Assert.True(engine.Backups.Verify(baseline.Id, deep: true).IsValid);
            var r = engine.Backups.Restore(baseline.Id);
            Assert.Equal(baseSha, Disk.Sha256(Prefix(engine.Volumes.Get(r.VolumeId).Path, 8 << 20)));
        }
    }

    [Fact]
    public void RestoresKilledAtAnyPointAreCleanedUp()
    {
        string fullSha, incSha;
        VolumeBackup full, inc;
        using (var engine = Open())
        {
            var (volume, sha) = Image(engine, "src", 4);
            fullSha = sha;
            full = engine.Backups.Create(new BackupCreateOptions { Volume = volume.Id, Name = "full" });
            Disk.WriteRandom(volume.Path, 6 << 20, 1 << 20, 5);
            incSha = Disk.Sha256(volume.Path);
            inc = engine.Backups.Create(new BackupCreateOptions { Volume = volume.Id, Name = "inc", Incremental = true });
        }
        var points = new[]
        {
            "restore.prepared", "restore.chain.loaded", "restore.write#1", "restore.write#3",
            "restore.object.written#1", "restore.object.written#4", "restore.flushed", "restore.finished",
        };
        var n = 0;
        foreach (var point in points)
        {
            n++;
            var backup = n % 2 == 0 ? inc : full;
            Crash(point, "volume", "backup", "restore", "--name", "r" + n, backup.Id);
            using var engine = Reopen(point);
            Assert.Equal("available", engine.Backups.Get(backup.Id).Status);
            var target = engine.Volumes.Get("r" + n);
            Assert.Equal(point == "restore.finished" ? "available" : "error_restoring", target.Status);
            engine.Volumes.Delete(target.Id);
        }
        using (var engine = Reopen("the end"))
        {
            foreach (var (b, sha) in new[] { (full, fullSha), (inc, incSha) })
            {
                Assert.True(engine.Backups.Verify(b.Id, deep: true).IsValid);
                var r = engine.Backups.Restore(b.Id);
                Assert.Equal(sha, Disk.Sha256(Prefix(engine.Volumes.Get(r.VolumeId).Path, 8 << 20)));
            }
        }
    }

    [Fact]
    public void PerUserAuthTakesTheTokenFromOsTokenAndNeverShowsIt()
    {
        _home.WriteConfig(string.Join("\n",
            "backup_driver: swift",
            $"backup_swift_url: {_swift.StorageUrlPrefix}",
            $"backup_swift_container: {_container}",
            "backup_swift_object_size: 1MiB",
            "backup_swift_retry_attempts: 0",
            ""));
        var token = _swift.Token();
        using (var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env, ProjectName = SwiftServer.Account, OsToken = token }))
        {
            Image(engine, "tok", 6);
        }
        var ok = CliRunner.Ok(_home, "--os-project-name", SwiftServer.Account, "--os-token", token, "volume", "backup", "create", "--name", "bytoken", "tok");
        Assert.DoesNotContain(token, ok.ToString());
        Assert.Contains(_swift.Objects(_container), o => o.EndsWith("_metadata", StringComparison.Ordinal));
        var bad = "AUTH_tk" + new string('1', 32);
        var refused = CliRunner.Run(_home, "--os-project-name", SwiftServer.Account, "--os-token", bad, "volume", "backup", "create", "--name", "badtoken", "tok");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("access was refused", refused.Stderr);
        Assert.DoesNotContain(bad, refused.ToString());
        var export = CliRunner.Ok(_home, "--os-project-name", SwiftServer.Account, "--os-admin", "true", "--os-token", token, "volume", "backup", "record", "export", "bytoken");
        Assert.DoesNotContain(token, export.ToString());
        foreach (var file in Directory.EnumerateFiles(_home.Home, "*.log", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(token, File.ReadAllText(file));
            Assert.DoesNotContain(bad, File.ReadAllText(file));
        }
    }

    /// <summary>The first bytes of a (larger, restored) volume, as a file of their own for hashing.</summary>
    private string Prefix(string path, long length)
    {
        var copy = _home.File_("prefix-" + Guid.NewGuid().ToString("N"));
        using var input = File.OpenRead(path);
        using var output = File.Create(copy);
        var buffer = new byte[1 << 20];
        for (long left = length; left > 0;)
        {
            var n = input.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            output.Write(buffer, 0, n);
            left -= n;
        }
        return copy;
    }
}
