using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// kill -9 of the process running a backup, and of one running a restore, at more than 20 points each (the engine's
/// fault points, armed through CINDERBACKUP_FAULT). After each, the next process to open the catalog must leave it
/// consistent, in the states Cinder's start-up cleanup produces, with no stray object under the backup's prefix and
/// no staging leftovers; the backups made before keep verifying and restoring byte-identically. Also kill -9 during a
/// delete, a catalog backup, a catalog restore and a record import (issue 16): nothing finished is lost, and the
/// catalog is the previous one intact or the new one complete.
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
        var (baseline, baseSha, source) = Baseline(1);
        using (var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env }))
        {
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
            if (point is "backup.finished" or "backup.metadata.committed")
            {
                // Past its commit point (_metadata) the backup finished, whatever the catalog said: adopted, never reset.
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
            BaselineRestores(engine, baseline, baseSha);
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

    private long Scalar(string sql)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = _home.CatalogPath, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>SQLite's own check of a catalog file (the live one, a copy, a saved one).</summary>
    private static string Integrity(string path)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = path, Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA integrity_check";
        return (string)cmd.ExecuteScalar()!;
    }

    /// <summary>A backup that must survive every crash of the test untouched, and the volume the test works on.</summary>
    private (VolumeBackup Baseline, string Sha, string Source) Baseline(int seed)
    {
        using var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
        var (baseVolume, sha) = Image(engine, "base", seed);
        var baseline = engine.Backups.Create(new BackupCreateOptions { Volume = baseVolume.Id, Name = "baseline" });
        return (baseline, sha, Image(engine, "work", seed + 1).Volume.Id);
    }

    /// <summary>At the end: the baseline deep-verifies and restores byte-identically.</summary>
    private void BaselineRestores(BackupEngine engine, VolumeBackup baseline, string sha)
    {
        Assert.True(engine.Backups.Verify(baseline.Id, deep: true).IsValid);
        var r = engine.Backups.Restore(baseline.Id);
        Assert.Equal(sha, Disk.Sha256(Prefix(engine.Volumes.Get(r.VolumeId).Path, 24 << 20)));
    }

    [Fact]
    public void DeletesKilledAtAnyPointResumeAndReleaseTheQuotaOnce()
    {
        var (baseline, baseSha, source) = Baseline(11);
        // A full backup (24 objects) deleted at each point; then an incremental, whose parent's count must drop once.
        var points = new (string Point, bool Incremental)[]
        {
            ("delete.started", false), ("delete.object#1", false), ("delete.object#2", false), ("delete.object#7", false),
            ("delete.object#13", false), ("delete.object#25", false), ("delete.objects.removed", false), ("delete.finished", false),
            ("delete.started", true), ("delete.object#1", true), ("delete.objects.removed", true),
        };
        var n = 0;
        foreach (var (point, incremental) in points)
        {
            n++;
            VolumeBackup victim;
            VolumeBackup? parent = null;
            using (var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env }))
            {
                victim = engine.Backups.Create(new BackupCreateOptions { Volume = source, Name = "victim-" + n });
                if (incremental)
                {
                    parent = victim;
                    Disk.WriteRandom(engine.Volumes.Get(source).Path, 1 << 20, 2 << 20, n);
                    victim = engine.Backups.Create(new BackupCreateOptions { Volume = source, Name = "inc-" + n, Incremental = true });
                    Assert.Equal(1, engine.Backups.Get(parent.Id).NumDependentBackups);
                }
            }
            var releases = Scalar("SELECT COUNT(*) FROM reservations WHERE resource = 'backups' AND delta < 0");
            Crash(point, "volume", "backup", "delete", victim.Id);
            using (var engine = Reopen(point))
            {
                // Gone, its objects gone, its quota released exactly once, its parent's count down by one.
                Assert.Throws<CinderBackup.Engine.Errors.CinderBackupException>(() => engine.Backups.Get(victim.Id));
                Assert.Equal(1, Scalar($"SELECT COUNT(*) FROM backups WHERE id = '{victim.Id}' AND deleted = 1 AND status = 'deleted' AND operation IS NULL"));
                Assert.Equal(releases + 1, Scalar("SELECT COUNT(*) FROM reservations WHERE resource = 'backups' AND delta < 0"));
                Assert.False(Directory.Exists(Path.Combine(Repo, victim.Container!)) && Directory.EnumerateFiles(Path.Combine(Repo, victim.Container!)).Any(), point);
                if (parent is not null)
                {
                    Assert.Equal(0, engine.Backups.Get(parent.Id).NumDependentBackups);
                    engine.Backups.Delete(parent.Id);
                }
                Assert.True(engine.Backups.Verify(baseline.Id).IsValid, point);
            }
        }
        using (var engine = Reopen("the end"))
        {
            Assert.Equal(new[] { baseline.Id }, engine.Backups.List().Select(b => b.Id));
            BaselineRestores(engine, baseline, baseSha);
        }
    }

    [Fact]
    public void CatalogBackupsKilledAtAnyPointLeaveTheCatalogIntactAndNoPartialCopy()
    {
        string[] ids;
        using (var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env }))
        {
            var v = Image(engine, "v", 21).Volume;
            ids = new[] { engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "a" }).Id, engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "b" }).Id };
        }
        var copies = Directory.CreateDirectory(_home.File_("copies")).FullName;
        foreach (var point in new[] { "catalog.backup.copied", "catalog.backup.checked", "catalog.backup.renamed" })
        {
            var copy = Path.Combine(copies, point + ".db");
            Crash(point, "catalog", "backup", "--to", copy);
            using (var engine = Reopen(point))
            {
                Assert.Equal(ids.Order(), engine.Backups.List().Select(b => b.Id).Order());
            }
            Assert.Equal("ok", Integrity(_home.CatalogPath));
            if (point == "catalog.backup.renamed")
            {
                Assert.Equal("ok", Integrity(copy)); // complete: it was renamed into place only when checked
            }
            else
            {
                Assert.False(File.Exists(copy), point); // no partial copy under the name asked for
            }
            // The next catalog backup to that name works and removes what the killed one left.
            CliRunner.Ok(_home, "catalog", "backup", "--force", "--to", copy);
            Assert.Equal(new[] { copy }, Directory.EnumerateFiles(copies, Path.GetFileName(copy) + "*").Concat(Directory.EnumerateFiles(copies, "." + Path.GetFileName(copy) + "*")));
            Assert.Equal("ok", Integrity(copy));
        }
    }

    [Fact]
    public void CatalogRestoresKilledAtAnyPointLeaveTheOldCatalogOrTheNewOne()
    {
        string renamed;
        using (var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env }))
        {
            var v = Image(engine, "v", 31).Volume;
            renamed = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "before" }).Id;
            engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "other" });
        }
        var old = _home.File_("old.db");
        CliRunner.Ok(_home, "catalog", "backup", "--to", old);
        // The live catalog then moves on: a backup renamed, a volume added.
        CliRunner.Ok(_home, "volume", "backup", "set", "--name", "after", renamed);
        CliRunner.Ok(_home, "volume", "create", "--size", "1", "added");
        var current = _home.File_("current.db");
        CliRunner.Ok(_home, "catalog", "backup", "--to", current);

        foreach (var point in new[] { "catalog.restore.checked", "catalog.restore.saved", "catalog.restore.swapping", "catalog.restore.swapped" })
        {
            Crash(point, "catalog", "restore", "--force", old);
            using (var engine = Reopen(point))
            {
                var name = engine.Backups.Get(renamed).Name;
                var added = engine.Volumes.List().Any(v => v.Name == "added");
                if (point == "catalog.restore.swapped")
                {
                    Assert.Equal(("before", false), (name, added)); // the new catalog, whole
                }
                else
                {
                    Assert.Equal(("after", true), (name, added)); // the previous catalog, untouched
                }
            }
            Assert.Equal("ok", Integrity(_home.CatalogPath));
            // Nothing half-written is left in the data directory; every saved previous catalog is whole.
            Assert.Empty(Directory.EnumerateFiles(_home.Home, ".catalog-*"));
            Assert.All(Directory.EnumerateFiles(_home.Home, "catalog-before-restore-*.db"), f => Assert.Equal("ok", Integrity(f)));
            CliRunner.Ok(_home, "catalog", "restore", current);
        }
    }

    [Fact]
    public void RecordImportsKilledAtAnyPointImportAllOrNothing()
    {
        var records = _home.File_("chain.yaml");
        string[] ids;
        string sha;
        using (var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env }))
        {
            var (v, _) = Image(engine, "v", 41);
            var full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "full" });
            Disk.WriteRandom(v.Path, 2 << 20, 2 << 20, 42);
            var inc1 = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "inc1", Incremental = true });
            Disk.WriteRandom(v.Path, 5 << 20, 2 << 20, 43);
            sha = Disk.Sha256(v.Path);
            var inc2 = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "inc2", Incremental = true });
            ids = new[] { full.Id, inc1.Id, inc2.Id };
            RecordApi.WriteFile(records, engine.Records.Export(inc2.Id, includeParents: true));
        }
        _home.LoseCatalog(); // the catalog is lost; the repository and the record file remain

        foreach (var point in new[] { "record.import.inserted#1", "record.import.inserted#2", "record.import.inserted#3", "record.import.committed" })
        {
            Crash(point, "volume", "backup", "record", "import", "--file", records);
            Assert.Equal("ok", Integrity(_home.CatalogPath));
            using var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
            var usage = engine.Quotas.Usage().ToDictionary(u => u.Type);
            if (point == "record.import.committed")
            {
                Assert.Equal(ids.Order(), engine.Backups.List().Select(b => b.Id).Order());
                Assert.All(engine.Backups.List(), b => Assert.Equal("available", b.Status));
                Assert.Equal(3, usage["backups"].InUse);
                Assert.True(engine.Backups.Verify(ids[2], deep: true).IsValid);
                Assert.Equal(sha, Disk.Sha256(Prefix(engine.Volumes.Get(engine.Backups.Restore(ids[2]).VolumeId).Path, 24 << 20)));
            }
            else
            {
                // Killed inside the transaction: none of the set, and no quota charged.
                Assert.Empty(engine.Backups.List());
                Assert.Equal((0L, 0L), (usage["backups"].InUse, usage["backups"].Reserved));
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
