using CinderBackup.Engine.Api;
using Microsoft.Data.Sqlite;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// An incremental backup whose parent changes between its checks and its catalog write (a delete or a newer backup in
/// another process) used to check the new parent inside the write: a nested catalog transaction ("SqliteConnection does
/// not support nested transactions") and repository reads under the write lock (issue 16, item 9). The checks now run
/// before the write, and again for the new parent.
/// </summary>
public sealed class IncrementalRaceTests : IDisposable
{
    private readonly TempHome _home = new();

    public IncrementalRaceTests() => _home.WriteConfig("backup_file_size: 1MiB\n");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _home.Dispose();
    }

    [SqliteFileFact("another connection holds SQLite's write lock on catalog.db (PostgreSQL's writers queue on an advisory lock: PostgresCatalogTests)")]
    public async Task AParentDeletedWhileTheIncrementalIsCheckedIsReplacedByTheNextOneChecked()
    {
        using var engine = EngineFactory.Open(_home);
        var v = engine.Volumes.Create("v", 1);
        Disk.WriteRandom(v.Path, 0, 4 << 20, 1);
        var full = engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "full" });
        Disk.WriteRandom(v.Path, 1 << 20, 1 << 20, 2);
        var inc1 = engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "inc1", Incremental = true });
        Disk.WriteRandom(v.Path, 2 << 20, 1 << 20, 3);
        var sha = Disk.Sha256(v.Path);

        var details = new List<string>();
        using var racer = BackupEngine.Open(new EngineOptions { Environment = _home.Env, Detail = m => { lock (details) { details.Add(m); } } });
        // Another process holds the write lock and starts deleting inc1; the incremental reads (inc1 is its parent) and
        // checks the repository meanwhile, then waits for the lock.
        using var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _home.CatalogPath, Pooling = false }.ToString());
        other.Open();
        using (var tx = other.BeginTransaction(deferred: false))
        {
            using (var cmd = other.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "UPDATE backups SET status = 'deleting' WHERE id = $id";
                cmd.Parameters.AddWithValue("$id", inc1.Id);
                cmd.ExecuteNonQuery();
            }
            var run = Task.Run(() => racer.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "inc2", Incremental = true }));
            await Task.Delay(3000);
            Assert.False(run.IsCompleted);
            tx.Commit();
            var inc2 = await run;
            Assert.Equal(full.Id, inc2.ParentId);
        }
        lock (details)
        {
            Assert.Contains("The volume's newest backup changed while the incremental backup was being checked; checking again.", details);
        }
        Assert.True(engine.Backups.Verify("inc2", deep: true).IsValid);
        Assert.Equal(sha, Disk.Sha256(engine.Volumes.Get(engine.Backups.Restore("inc2").VolumeId).Path));
    }
}
