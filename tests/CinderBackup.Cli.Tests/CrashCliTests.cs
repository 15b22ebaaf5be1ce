using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// kill -9 of the process running a backup, and of one running a restore, at more than 20 points each (the engine's
/// fault points, armed through CINDERBACKUP_FAULT). After each, the next process to open the catalog must leave it
/// consistent, in the states Cinder's start-up cleanup produces, with no stray object under the backup's prefix and
/// no staging leftovers; the backups made before keep verifying and restoring byte-identically.
/// </summary>
public sealed class CrashCliTests : IDisposable
{
    private const int Killed = 137; // 128 + SIGKILL
    private readonly TempHome _home = new();

    public CrashCliTests() => _home.WriteConfig("backup_file_size: 1MiB\nbackup_workers: 2\nquota_backups: 100\n");

    public void Dispose() => _home.Dispose();

    private string Repo => Path.Combine(_home.Home, "backup");

    private CliRunner.Result Crash(string point, params string[] args)
    {
        _home.Set("CINDERBACKUP_FAULT", point);
        try
        {
            var r = CliRunner.Run(_home, args);
            Assert.True(r.ExitCode == Killed, $"{point}: expected the process to be killed there\n{r}");
            return r;
        }
        finally
        {
            _home.Set("CINDERBACKUP_FAULT", null);
        }
    }

    /// <summary>A registered 24 MiB image: 24 objects of 1 MiB, with data, text and zeros.</summary>
    private (BlockVolume Volume, string Sha) Image(BackupEngine engine, string name, int seed)
    {
        var path = _home.File_(name + ".img");
        using (var fs = new FileStream(path, FileMode.Create))
        {
            fs.SetLength(24 << 20);
        }
        Disk.WriteRandom(path, 0, 10 << 20, seed);
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 200000).Select(i => $"{name} line {i} of the crash test\n")));
        using (var fs = new FileStream(path, FileMode.Open))
        {
            fs.Position = 14 << 20;
            fs.Write(text.AsSpan(0, 4 << 20));
        }
        return (engine.Volumes.Register(name, path), Disk.Sha256(path));
    }

    /// <summary>Opens the catalog as the next process would (start-up recovery runs) and checks it is consistent.</summary>
    private BackupEngine Reopen(string what)
    {
        var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
        var backups = engine.Backups.List();
        Assert.All(backups, b => Assert.True(b.Status is "available" or "error", $"{what}: backup {b.Id} is {b.Status}"));
        Assert.All(engine.Volumes.List(), v => Assert.True(v.Status is "available" or "error" or "error_restoring", $"{what}: volume {v.Name} is {v.Status}"));
        var usage = engine.Quotas.Usage().ToDictionary(u => u.Type);
        Assert.Equal(backups.Count, usage["backups"].InUse);
        Assert.Equal(backups.Sum(b => (long)(b.Size ?? 0)), usage["backup_gigabytes"].InUse);
        Assert.Equal(0, usage["backups"].Reserved);
        // Every object left in the repository belongs to an available backup; nothing is staged.
        var available = backups.Where(b => b.Status == "available").Select(b => b.ServiceMetadata!).ToList();
        foreach (var file in Directory.EnumerateFiles(Repo, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            if (name == ".cinderbackup-repository")
            {
                continue; // the repository's marker, written by the first backup, stays
            }
            Assert.False(name.StartsWith(".cbstage-", StringComparison.Ordinal), $"{what}: staging file left: {file}");
            Assert.True(available.Any(p => name.StartsWith(p, StringComparison.Ordinal)), $"{what}: stray object {file}");
        }
        return engine;
    }

    [Fact]
    public void BackupsKilledAtAnyPointAreCleanedUp()
    {
        string baseSha, source;
        VolumeBackup baseline;
        using (var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env }))
        {
            var (baseVolume, sha) = Image(engine, "base", 1);
            baseSha = sha;
            baseline = engine.Backups.Create(new BackupCreateOptions { Volume = baseVolume.Id, Name = "baseline" });
            source = Image(engine, "work", 2).Volume.Id;
            engine.Backups.Create(new BackupCreateOptions { Volume = source, Name = "work-full" });
            Disk.WriteRandom(engine.Volumes.Get(source).Path, 3 << 20, 4 << 20, 3);
        }

        var points = new (string Point, bool Incremental)[]
        {
            ("backup.prepared", false),
            ("backup.object.staged#1", false), ("backup.object.staged#2", false), ("backup.object.staged#3", false), ("backup.object.staged#5", false),
            ("backup.object.staged#7", false), ("backup.object.staged#12", false), ("backup.object.staged#20", false), ("backup.object.staged#24", false),
            ("backup.object.committed#1", false), ("backup.object.committed#2", false), ("backup.object.committed#3", false), ("backup.object.committed#8", false),
            ("backup.object.committed#12", false), ("backup.object.committed#16", false), ("backup.object.committed#23", false), ("backup.object.committed#24", false),
            ("backup.sha256file.staged", false), ("backup.metadata.staged", false), ("backup.metadata.committed", false), ("backup.finished", false),
            // An incremental (its few changed objects) killed part way.
            ("backup.prepared", true), ("backup.object.committed#2", true), ("backup.sha256file.staged", true), ("backup.metadata.committed", true),
        };
        Assert.True(points.Length >= 20);
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
            if (point == "backup.finished")
            {
                Assert.Equal("available", b.Status);
                Assert.True(engine.Backups.Verify(b.Id, deep: true).IsValid, point);
            }
            else
            {
                Assert.Equal(("error", "incomplete backup reset on manager restart"), (b.Status, b.FailReason));
                Assert.False(Directory.Exists(Path.Combine(Repo, b.Container ?? "-")) && Directory.EnumerateFiles(Path.Combine(Repo, b.Container!)).Any(f => Path.GetFileName(f).StartsWith(b.ServiceMetadata ?? "\0", StringComparison.Ordinal)), point);
            }
            Assert.Equal("available", engine.Volumes.Get(source).Status);
            Assert.True(engine.Backups.Verify(baseline.Id).IsValid, point);
            engine.Backups.Delete(b.Id);
        }

        using (var engine = Reopen("the end"))
        {
            Assert.True(engine.Backups.Verify(baseline.Id, deep: true).IsValid);
            var r = engine.Backups.Restore(baseline.Id);
            Assert.Equal(baseSha, Disk.Sha256(Prefix(engine.Volumes.Get(r.VolumeId).Path, 24 << 20)));
        }
    }

    [Fact]
    public void RestoresKilledAtAnyPointAreCleanedUp()
    {
        string fullSha, incSha;
        VolumeBackup full, inc;
        using (var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env }))
        {
            var (volume, sha) = Image(engine, "src", 4);
            fullSha = sha;
            full = engine.Backups.Create(new BackupCreateOptions { Volume = volume.Id, Name = "full" });
            Disk.WriteRandom(volume.Path, 12 << 20, 6 << 20, 5);
            incSha = Disk.Sha256(volume.Path);
            inc = engine.Backups.Create(new BackupCreateOptions { Volume = volume.Id, Name = "inc", Incremental = true });
        }

        // The full restore writes 14 data pieces (zeros are skipped or punched), the incremental's 16; both have 24 objects.
        var points = new[]
        {
            "restore.prepared", "restore.chain.loaded",
            "restore.write#1", "restore.write#2", "restore.write#3", "restore.write#4", "restore.write#5", "restore.write#7",
            "restore.write#10", "restore.write#12", "restore.write#14",
            "restore.object.written#1", "restore.object.written#2", "restore.object.written#3", "restore.object.written#5",
            "restore.object.written#6", "restore.object.written#9", "restore.object.written#12", "restore.object.written#16", "restore.object.written#20",
            "restore.flushed", "restore.finished",
        };
        Assert.True(points.Length >= 20);
        var n = 0;
        foreach (var point in points)
        {
            var toExisting = n++ % 3 == 2;
            var backup = n % 2 == 0 ? inc : full;
            if (toExisting)
            {
                using var setup = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
                setup.Volumes.Create("t" + n, 1);
            }
            var args = toExisting
                ? new[] { "volume", "backup", "restore", "--force", backup.Id, "t" + n }
                : new[] { "volume", "backup", "restore", "--name", "r" + n, backup.Id };
            Crash(point, args);
            using var engine = Reopen(point);
            Assert.Equal("available", engine.Backups.Get(backup.Id).Status);
            var target = engine.Volumes.Get((toExisting ? "t" : "r") + n);
            Assert.Equal(point == "restore.finished" ? "available" : "error_restoring", target.Status);
            if (point == "restore.finished")
            {
                Assert.Equal(backup == inc ? incSha : fullSha, Disk.Sha256(Prefix(target.Path, 24 << 20)));
            }
            engine.Volumes.Delete(target.Id);
        }

        using (var engine = Reopen("the end"))
        {
            foreach (var (b, sha) in new[] { (full, fullSha), (inc, incSha) })
            {
                Assert.True(engine.Backups.Verify(b.Id, deep: true).IsValid);
                var r = engine.Backups.Restore(b.Id);
                Assert.Equal(sha, Disk.Sha256(Prefix(engine.Volumes.Get(r.VolumeId).Path, 24 << 20)));
            }
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
