using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// Containers are where they really are (issue 16, item 7): a symbolic link inside a POSIX repository, at any level of
/// a container's path, leads no write, delete or discovery outside the repository. Links that stay inside it, and a
/// repository root that is itself a link, keep working.
/// </summary>
public sealed class ContainerLinkTests : IDisposable
{
    private readonly TempHome _home = new();
    private BackupEngine _engine;

    public ContainerLinkTests()
    {
        _home.WriteConfig("backup_file_size: 4MiB\n");
        _engine = EngineFactory.Open(_home);
        var v = _engine.Volumes.Create("vol", 1);
        Disk.WriteRandom(v.Path, 0, 5 << 20, seed: 11);
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "precious.txt"), "not the repository's");
    }

    public void Dispose()
    {
        _engine.Dispose();
        _home.Dispose();
    }

    private string Repo => Path.Combine(_home.Home, "backup");

    private string Outside => _home.File_("outside");

    /// <summary>Everything under the outside directory, files with their length.</summary>
    private string OutsideListing() => string.Join("\n", Directory.EnumerateFileSystemEntries(Outside, "*", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal).Select(p => File.Exists(p) ? $"{p} {new FileInfo(p).Length}" : p + "/"));

    private void Link(string relative, string target)
    {
        var path = Path.Combine(Repo, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Directory.CreateSymbolicLink(path, target);
    }

    private void AssertRefused(Action act, string container)
    {
        var before = OutsideListing();
        var e = Assert.Throws<CinderBackupException>(act);
        Assert.True(e.ErrorId == ErrorIds.InvalidContainer, $"{e.ErrorId}: {e.Message}");
        Assert.Contains($"Invalid container '{container}': through a symbolic link it leads to '{Outside}", e.Message);
        Assert.Contains("outside the repository", e.Message);
        Assert.Equal(before, OutsideListing());
        Assert.Empty(_engine.Backups.List());
        Assert.Equal("available", _engine.Volumes.Get("vol").Status);
    }

    [Theory]
    [InlineData("a", "a/b/c")]
    [InlineData("a/b", "a/b/c")]
    [InlineData("a/b/c", "a/b/c")]
    public void ABackupIntoAContainerLinkedOutAtAnyLevelIsRefused(string link, string container)
    {
        Directory.CreateDirectory(Path.Combine(Outside, "b", "c"));
        Link(link, link == "a" ? Outside : Path.Combine(Outside, "b", "c"));
        AssertRefused(() => _engine.Backups.Create(new BackupCreateOptions { Volume = "vol", Container = container }), container);
    }

    [Fact]
    public void TheDefaultContainerLinkedOutIsRefusedToo()
    {
        // <id[0:2]>/<id[2:4]>/<id>: every possible first level is a link out.
        for (var i = 0; i < 256; i++)
        {
            Link(i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture), Outside);
        }
        var before = OutsideListing();
        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Create(new BackupCreateOptions { Volume = "vol" }));
        Assert.Equal(ErrorIds.BackupFailed, e.ErrorId);
        Assert.Contains("through a symbolic link it leads to", e.Message);
        Assert.Equal(before, OutsideListing());
        Assert.Equal("error", _engine.Backups.List().Single().Status);
        Assert.Equal("available", _engine.Volumes.Get("vol").Status);
    }

    [Fact]
    public void LinksThatStayInsideAndALinkedRootWork()
    {
        Directory.CreateDirectory(Path.Combine(Repo, "real", "place"));
        Link("inside", Path.Combine(Repo, "real"));
        var b = _engine.Backups.Create(new BackupCreateOptions { Volume = "vol", Container = "inside/place" });
        Assert.True(_engine.Backups.Verify(b.Id, deep: true).IsValid);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(Repo, "real", "place")));

        // The repository root itself may be a link (a mount elsewhere).
        var realRoot = _home.File_("real-root");
        Directory.CreateDirectory(realRoot);
        Directory.CreateSymbolicLink(_home.File_("root-link"), realRoot);
        _engine.Dispose();
        _home.WriteConfig($"backup_file_size: 4MiB\nbackup_posix_path: {_home.File_("root-link")}\n");
        _engine = EngineFactory.Open(_home);
        var c = _engine.Backups.Create(new BackupCreateOptions { Volume = "vol", Container = "nightly" });
        Assert.True(_engine.Backups.Verify(c.Id, deep: true).IsValid);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(realRoot, "nightly")));
        _engine.Backups.Delete(c.Id);
        Assert.Empty(Directory.GetFiles(Path.Combine(realRoot, "nightly")));
    }

    [Fact]
    public void ADeleteNeverFollowsAContainerSwappedForALinkOut()
    {
        var b = _engine.Backups.Create(new BackupCreateOptions { Volume = "vol", Container = "nightly" });
        // The container is moved out of the repository and a link put in its place.
        Directory.Move(Path.Combine(Repo, "nightly"), Path.Combine(Outside, "nightly"));
        Link("nightly", Path.Combine(Outside, "nightly"));
        var before = OutsideListing();
        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Delete(b.Id));
        Assert.Contains("Invalid container 'nightly': through a symbolic link it leads to", e.Message);
        Assert.Equal(before, OutsideListing());
        Assert.Equal("error", _engine.Backups.Get(b.Id).Status);
    }

    [Fact]
    public void DiscoveryNeverFollowsALinkOut()
    {
        // A complete backup outside the repository, reachable only through a link inside it.
        var b = _engine.Backups.Create(new BackupCreateOptions { Volume = "vol", Container = "elsewhere" });
        Directory.Move(Path.Combine(Repo, "elsewhere"), Path.Combine(Outside, "elsewhere"));
        Link("elsewhere", Path.Combine(Outside, "elsewhere"));
        Assert.DoesNotContain(_engine.Records.Discover(), d => d.BackupId == b.Id);
        var e = Assert.Throws<CinderBackupException>(() => _engine.Records.Discover(container: "elsewhere"));
        Assert.Equal(ErrorIds.InvalidContainer, e.ErrorId);
        // A record naming that container does not import either.
        var record = _engine.Records.Export(b.Id)[0];
        _engine.Catalog.Write(db => db.Execute("UPDATE backups SET deleted = 1 WHERE id = $id", ("$id", b.Id)));
        e = Assert.Throws<CinderBackupException>(() => _engine.Records.Import(new[] { record }));
        Assert.Equal(ErrorIds.InvalidContainer, e.ErrorId);
    }
}
