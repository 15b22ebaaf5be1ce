using System.Diagnostics;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// `catalog backup` of a PostgreSQL catalog (a logical copy into an SQLite file) killed at any point or stopped by a full
/// disk (issue 19): the PostgreSQL catalog is untouched, the name asked for never holds a half copy that `catalog restore`
/// would accept, and the next copy works and removes what the failed one left. The SQLite counterparts are
/// CrashCliTests.CatalogBackupsKilledAtAnyPointLeaveTheCatalogIntactAndNoPartialCopy and DiskFullCliTests. These always
/// run on the throwaway PostgreSQL 15 of the tests, whatever CINDERBACKUP_TEST_CATALOG says.
/// </summary>
[Trait("Catalog", "PostgreSQL")]
public sealed class PostgresCatalogCopyCliTests : IDisposable
{
    private const int Killed = 137; // 128 + SIGKILL
    private readonly TempHome _home = new();
    private readonly PostgresServer _server = PostgresServer.Shared;
    private readonly string _database;
    private string? _mounted;

    public PostgresCatalogCopyCliTests()
    {
        // A database of its own even when the switch already gave the home one (TempHome drops only that one).
        _database = _server.CreateDatabase();
        _home.Set("CINDERBACKUP_DATABASE", _server.Url(_database)).Set("PGPASSWORD", _server.Password);
    }

    public void Dispose()
    {
        if (_mounted is not null)
        {
            CliRunner.Tool("umount", _mounted);
        }
        _home.Dispose();
        _server.DropDatabase(_database);
    }

    /// <summary>Two backups in the PostgreSQL catalog; their ids.</summary>
    private string[] TwoBackups()
    {
        using var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
        var v = engine.Volumes.Create("v", 1);
        Disk.WriteRandom(v.Path, 0, 1 << 20, 7);
        return new[]
        {
            engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "a" }).Id,
            engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "b" }).Id,
        };
    }

    /// <summary>The catalog as the next process sees it: the same backups, all available, and it still takes writes.</summary>
    private void AssertCatalogIntact(string[] ids, string what)
    {
        using var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
        var backups = engine.Backups.List();
        Assert.Equal(ids.Order(), backups.Select(b => b.Id).Order());
        Assert.All(backups, b => Assert.True(b.Status == "available", $"{what}: {b.Id} is {b.Status}"));
        engine.Backups.Update(ids[0], description: what);
    }

    /// <summary>`catalog restore` of a name that holds no copy is refused and changes nothing.</summary>
    private void AssertRestoreRefused(string copy, string[] ids)
    {
        var r = CliRunner.Run(_home, "catalog", "restore", "--force", copy);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains(copy, r.Stderr, StringComparison.Ordinal);
        AssertCatalogIntact(ids, "after the refused restore");
    }

    /// <summary>Files in <paramref name="dir"/> that belong to the copy <paramref name="copy"/> (it, its temporary and side files).</summary>
    private static IEnumerable<string> CopyFiles(string dir, string copy) =>
        Directory.EnumerateFiles(dir).Where(f => Path.GetFileName(f).Contains(Path.GetFileName(copy), StringComparison.Ordinal));

    [Fact]
    public void CatalogBackupsKilledAtAnyPointLeaveThePostgresCatalogIntactAndNoCopyRestoreWouldAccept()
    {
        var ids = TwoBackups();
        var copies = Directory.CreateDirectory(_home.File_("copies")).FullName;
        // catalog.backup.table#1: killed inside the copy's one SQLite transaction, after the first table's rows.
        foreach (var point in new[] { "catalog.backup.table#1", "catalog.backup.copied", "catalog.backup.checked", "catalog.backup.renamed" })
        {
            var copy = Path.Combine(copies, point.Replace('#', '-') + ".db");
            _home.Set("CINDERBACKUP_FAULT", point);
            var r = CliRunner.Run(_home, "catalog", "backup", "--to", copy);
            _home.Set("CINDERBACKUP_FAULT", null);
            Assert.True(r.ExitCode == Killed, $"{point}: expected the process to be killed there\n{r}");
            AssertCatalogIntact(ids, point);
            if (point == "catalog.backup.renamed")
            {
                // Renamed into place only when complete and checked: a whole copy, which restores the same backups.
                CliRunner.Ok(_home, "catalog", "restore", "--force", copy);
                AssertCatalogIntact(ids, point + ", restored");
            }
            else
            {
                Assert.False(File.Exists(copy), $"{point}: a partial copy under the name asked for");
                AssertRestoreRefused(copy, ids);
            }
            // The next copy to that name works and removes what the killed one left.
            CliRunner.Ok(_home, "catalog", "backup", "--force", "--to", copy);
            Assert.Equal(new[] { copy }, CopyFiles(copies, copy));
            CliRunner.Ok(_home, "catalog", "restore", "--force", copy);
            AssertCatalogIntact(ids, point + ", next copy restored");
        }
    }

    [Fact]
    public void ACatalogBackupThatFillsTheDiskFailsCleanly()
    {
        var ids = TwoBackups();
        var dir = _home.File_("small");
        Directory.CreateDirectory(dir);
        if (Environment.UserName == "root" && CliRunner.Tool("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir) == 0)
        {
            _mounted = dir;
            // A tmpfs with a few pages free: the copy's schema and rows do not fit.
            var filler = Path.Combine(dir, "filler");
            using (var fs = new FileStream(filler, FileMode.Create))
            {
                fs.Write(new byte[(1 << 20) - (16 << 10)]);
            }
            var copy = Path.Combine(dir, "catalog.db");
            var r = CliRunner.Run(_home, "catalog", "backup", "--to", copy);
            Assert.True(r.ExitCode == 1, r.ToString());
            Assert.True(r.Stderr.Contains("No space left on device", StringComparison.Ordinal) && r.Stderr.Contains(dir, StringComparison.Ordinal), r.ToString());
            Assert.Empty(CopyFiles(dir, copy)); // neither the copy nor its temporary file is left
            AssertRestoreRefused(copy, ids);
            // The space came back: the copy is made.
            File.Delete(filler);
            CliRunner.Ok(_home, "catalog", "backup", "--to", copy);
            CliRunner.Ok(_home, "catalog", "restore", "--force", copy);
            AssertCatalogIntact(ids, "after the disk-full copy");
        }

        // Injected, where mounting is not possible (and always, to pin the behaviour): ENOSPC inside the copy.
        var copies = Directory.CreateDirectory(_home.File_("copies")).FullName;
        var injectedCopy = Path.Combine(copies, "injected.db");
        _home.Set("CINDERBACKUP_FAULT", "catalog.backup.table#1:enospc");
        var injected = CliRunner.Run(_home, "catalog", "backup", "--to", injectedCopy);
        _home.Set("CINDERBACKUP_FAULT", null);
        Assert.True(injected.ExitCode == 1, injected.ToString());
        Assert.True(injected.Stderr.Contains("No space left on device", StringComparison.Ordinal) && injected.Stderr.Contains(copies, StringComparison.Ordinal), injected.ToString());
        Assert.Empty(CopyFiles(copies, injectedCopy));
        AssertRestoreRefused(injectedCopy, ids);
    }
}
