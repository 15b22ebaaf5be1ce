using System.Text.Json;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.ObjectStores.Nfs;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// A repository's identity (issue 16, item 11): the first backup writes a marker at the repository's root; every backup
/// records its id and where the repository was. When the configured repository of that name moves, a restore says
/// where the backup was and where the name points now, and changes nothing (no error volume); the repository is
/// recognised wherever it is configured (another path, another name, NFS or posix); backups from before the marker,
/// and imported ones, still work.
/// </summary>
public sealed class RepositoryIdentityTests : IDisposable
{
    private readonly TempHome _home = new();
    private BackupEngine _engine;

    public RepositoryIdentityTests()
    {
        Configure(("local", Dir("a")));
        _engine = EngineFactory.Open(_home);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _home.Dispose();
    }

    private string Dir(string name) => _home.File_("repos/" + name);

    /// <summary>Named posix repositories, the first the default.</summary>
    private void Configure(params (string Name, string Path)[] repositories)
    {
        var yaml = "backup_file_size: 1MiB\nrepositories:\n" + string.Concat(repositories.Select((r, i) =>
            $"  {r.Name}:\n    backup_posix_path: {r.Path}\n" + (i == 0 ? "    default: true\n" : "")));
        _home.WriteConfig(yaml);
        Reopen();
    }

    private void Reopen()
    {
        _engine?.Dispose();
        _engine = EngineFactory.Open(_home);
    }

    private (VolumeBackup Backup, string Sha) Backup(string name)
    {
        var v = _engine.Volumes.Create(name, 1);
        Disk.WriteRandom(v.Path, 0, 3 << 20, name.Length);
        return (_engine.Backups.Create(new BackupCreateOptions { Volume = name, Name = name + "-b" }), Disk.Sha256(v.Path));
    }

    private void AssertRestores(VolumeBackup b, string sha)
    {
        var r = _engine.Backups.Restore(b.Id);
        Assert.Equal(sha, Disk.Sha256(_engine.Volumes.Get(r.VolumeId).Path));
        _engine.Volumes.Delete(r.VolumeId);
    }

    private static string MarkerId(string root) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(root, ".cinderbackup-repository"))).RootElement.GetProperty("repository_id").GetString()!;

    [Fact]
    public void TheFirstBackupWritesTheMarkerOnceAndEveryBackupRecordsIt()
    {
        var (first, _) = Backup("v1");
        var marker = Path.Combine(Dir("a"), ".cinderbackup-repository");
        var text = File.ReadAllText(marker);
        using (var doc = JsonDocument.Parse(text))
        {
            Assert.Equal("cinderbackup", doc.RootElement.GetProperty("application").GetString());
            Assert.True(Guid.TryParse(doc.RootElement.GetProperty("repository_id").GetString(), out _));
        }
        Assert.Equal(MarkerId(Dir("a")), first.RepositoryId);
        Assert.Equal(Dir("a"), first.RepositoryLocation);
        var (second, _) = Backup("v2");
        Assert.Equal(first.RepositoryId, second.RepositoryId);
        Assert.Equal(text, File.ReadAllText(marker)); // written once
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(marker));

        // Neither Cinder's listing of a backup's objects nor discovery sees it.
        var found = _engine.Records.Discover();
        Assert.Equal(new[] { first.Id, second.Id }.Order(), found.Select(f => f.BackupId).Order());
        Assert.All(found, f => Assert.Equal(DiscoveryStatus.Complete, f.Status));
        Assert.True(_engine.Backups.Verify(first.Id, deep: true).IsValid);
        Assert.DoesNotContain(".cinderbackup-repository", Directory.GetFiles(Path.Combine(Dir("a"), first.Container!)).Select(Path.GetFileName));
    }

    [Fact]
    public void AfterTheRepositoryMovesARestoreSaysWhereTheBackupWasAndWhereTheNamePointsAndChangesNothing()
    {
        var (b, sha) = Backup("v");
        var id = b.RepositoryId!;
        Directory.Move(Dir("a"), Dir("b"));
        Directory.CreateDirectory(Dir("c"));
        Configure(("local", Dir("c")));
        var volumes = _engine.Volumes.List().Count;

        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Restore(b.Id));
        Assert.Equal(ErrorIds.RepositoryMoved, e.ErrorId);
        Assert.Equal($"Backup {b.Id} was written to repository 'local' at {Dir("a")} (repository id {id}), but repository 'local' now points to {Dir("c")}, "
            + "which holds no CinderBackup repository marker, and no configured repository has that id. Make 'local' point where the repository is "
            + "(mount the share or set its path, share or S3 endpoint back), or configure a repository for where it is now; nothing was changed.", e.Message);
        Assert.DoesNotContain("incomplete or deleted", e.Message);
        Assert.Equal(volumes, _engine.Volumes.List().Count); // no error volume left behind
        Assert.Equal("available", _engine.Backups.Get(b.Id).Status);
        var verify = _engine.Backups.Verify(b.Id);
        Assert.False(verify.IsValid);
        Assert.Contains($"was written to repository 'local' at {Dir("a")}", verify.Problem);

        // Another repository behind the name: said so.
        var (other, _) = Backup("w");
        Assert.NotEqual(id, other.RepositoryId);
        e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Restore(b.Id));
        Assert.Contains($"now points to {Dir("c")}, which holds another repository (id {other.RepositoryId})", e.Message);

        // Wherever the repository is configured again, by path or under another name, it is recognised.
        Configure(("local", Dir("b")));
        AssertRestores(b, sha);
        Configure(("local", Dir("c")), ("moved", Dir("b")));
        AssertRestores(b, sha);
        Configure(("elsewhere", Dir("b"))); // "local" not configured at all
        AssertRestores(b, sha);
    }

    [Fact]
    public void BackupsFromBeforeTheMarkerAndImportedOnesStillWork()
    {
        var (b, sha) = Backup("v");
        // As a catalog from before this version has it: no id, no location.
        _engine.Catalog.Write(db => db.Execute("UPDATE backups SET repository_id = NULL, repository_location = NULL"));
        _engine.Dispose();
        Reopen();
        Assert.Null(_engine.Backups.Get(b.Id).RepositoryId);
        AssertRestores(b, sha);
        Assert.True(_engine.Backups.Verify(b.Id, deep: true).IsValid);

        // Moved, such a backup cannot tell a move from a deletion, but still fails before anything changes.
        Directory.Move(Dir("a"), Dir("b"));
        Configure(("local", Dir("c")));
        var volumes = _engine.Volumes.List().Count;
        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Restore(b.Id));
        Assert.Equal(ErrorIds.BackupObjectMissing, e.ErrorId);
        Assert.Contains("the backup is incomplete or was deleted, or repository 'local' no longer points where the backup was written.", e.Message);
        Assert.Equal(volumes, _engine.Volumes.List().Count);

        // Imported after the catalog is lost: the id of the repository it is imported into, when that has a marker.
        Configure(("local", Dir("b")));
        var record = _engine.Backups.Export(b.Id);
        _engine.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _home.LoseCatalog();
        Reopen();
        var imported = _engine.Backups.Import(record.BackupService, record.BackupUrl);
        Assert.Equal(MarkerId(Dir("b")), imported.RepositoryId);
        Assert.Equal(Dir("b"), imported.RepositoryLocation);
        AssertRestores(imported, sha);
    }

    [Fact]
    public void AnNfsShareThatChangesIsNamedAndItsMountIsRecognisedAsPosix()
    {
        var mounts = _home.File_("mounts");
        File.WriteAllText(mounts, "proc /proc proc rw 0 0\n");
        _home.Set(NfsMounter.MountsFileVariable, mounts);
        var script = _home.File_("fake-mount");
        File.WriteAllText(script, $$"""
            #!/bin/bash
            eval "dir=\${$#}"
            eval "share=\${$(($#-1))}"
            printf '%s %s nfs4 rw 0 0\n' "$share" "$dir" >> '{{mounts}}'
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var mountBase = _home.File_("mnt");
        void Nfs(string share, string extra = "") => _home.WriteConfig(
            $"backup_file_size: 1MiB\nbackup_driver: nfs\nbackup_share: {share}\nbackup_mount_point_base: {mountBase}\nbackup_mount_command: {script}\n{extra}");
        Nfs("filer:/export/backups");
        Reopen();
        var (b, sha) = Backup("v");
        var root = NfsMounter.MountPoint(mountBase, "filer:/export/backups");
        Assert.Equal($"filer:/export/backups (mounted at {root})", b.RepositoryLocation);
        Assert.Equal(MarkerId(root), b.RepositoryId);

        Nfs("filer2:/export/backups");
        Reopen();
        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Restore(b.Id));
        Assert.Equal(ErrorIds.RepositoryMoved, e.ErrorId);
        Assert.Contains($"at filer:/export/backups (mounted at {root})", e.Message);
        Assert.Contains($"now points to filer2:/export/backups (mounted at {NfsMounter.MountPoint(mountBase, "filer2:/export/backups")})", e.Message);

        // Another host mounts the same share somewhere else and calls it a posix repository: recognised by its marker.
        Nfs("filer2:/export/backups", $"repositories:\n  default:\n    default: true\n  here:\n    backup_driver: posix\n    backup_posix_path: {root}\n");
        Reopen();
        AssertRestores(b, sha);
    }
}
