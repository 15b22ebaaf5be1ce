using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>Which repository a backup goes to, and the checks made before anything is recorded (POSIX only).</summary>
public sealed class RepositorySelectionTests : IDisposable
{
    private readonly TempHome _home = new();

    public RepositorySelectionTests() => _home.WriteConfig($"""
        backup_file_size: 1MiB
        repositories:
          a:
            backup_posix_path: {_home.File_("repo-a")}
            default: true
          b:
            backup_posix_path: {_home.File_("repo-b")}
          closed:
            backup_posix_path: {_home.File_("repo-closed")}
            backup_create_containers: false
            backup_container: fixed
        """);

    public void Dispose() => _home.Dispose();

    [Fact]
    public void AnIncrementalFollowsItsParentAndAnErrorParentGivesCindersMessage()
    {
        using var engine = EngineFactory.Open(_home);
        var v = S3Home.Volume(engine, _home, "sel");
        var full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Repository = "b" });
        Assert.Equal("b", full.Repository);
        var inc = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
        Assert.Equal(("b", full.Id), (inc.Repository, inc.ParentId));
        Assert.True(Directory.Exists(Path.Combine(_home.File_("repo-b"), inc.Container!)));

        // No backup of the volume is available: Cinder's message, whatever repository they are in.
        engine.Catalog.Write(db => db.Execute("UPDATE backups SET status = 'error' WHERE volume_id = $v", ("$v", v.Id)));
        foreach (var f in Directory.EnumerateFiles(_home.File_("repo-b"), "*_sha256file", SearchOption.AllDirectories))
        {
            File.Delete(f); // as a failed backup leaves it: the repository is not even read
        }
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true }));
        Assert.Equal("Invalid backup: No backups available to do an incremental backup.", e.Message);
        Assert.Equal(2, engine.Backups.List().Count);
    }

    [Fact]
    public void AMissingContainerWithCreationDisabledIsRefusedBeforeAnythingIsRecorded()
    {
        using var engine = EngineFactory.Open(_home);
        var v = S3Home.Volume(engine, _home, "closed");
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Repository = "closed" }));
        Assert.Equal(ErrorIds.ContainerNotFound, e.ErrorId);
        Assert.Contains("repository 'closed'", e.Message);
        Assert.Empty(engine.Backups.List());
        Assert.Equal("available", engine.Volumes.Get(v.Id).Status);

        Directory.CreateDirectory(Path.Combine(_home.File_("repo-closed"), "fixed"));
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Repository = "closed" });
        Assert.Equal("fixed", b.Container); // backup_container of that repository
    }

    [Fact]
    public void ABackupWhoseRepositoryIsNoLongerConfiguredIsNamed()
    {
        string id;
        using (var engine = EngineFactory.Open(_home))
        {
            var v = S3Home.Volume(engine, _home, "gone");
            id = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Repository = "b" }).Id;
        }
        _home.WriteConfig($"repositories:\n  a:\n    backup_posix_path: {_home.File_("repo-a")}\n");
        using var later = EngineFactory.Open(_home);
        var e = Assert.Throws<CinderBackupException>(() => later.Backups.Restore(id));
        Assert.Equal(ErrorIds.RepositoryNotFound, e.ErrorId);
        Assert.StartsWith($"Backup {id} is in repository 'b', which is not configured (configured: a;", e.Message);
        Assert.Equal("available", later.Backups.Get(id).Status);
        Assert.Single(later.Volumes.List()); // no restore volume was made
        Assert.Equal(ErrorIds.RepositoryNotFound, Assert.Throws<CinderBackupException>(() => later.Backups.Delete(id)).ErrorId);
        Assert.Equal("available", later.Backups.Get(id).Status);
    }
}
