using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// One engine call per user action (issue 17, item 4): backup set, volume set and volume create from a backup check
/// every part before any row changes, so a refusal of one part leaves the others undone.
/// </summary>
public sealed class OneCallSetTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly BackupEngine _engine;

    public OneCallSetTests()
    {
        _home.WriteConfig("backup_file_size: 1MiB\n");
        _engine = EngineFactory.Open(_home);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _home.Dispose();
    }

    [Fact]
    public void BackupSetRefusedStateLeavesTheNameAndARefusedNameLeavesTheState()
    {
        _engine.Volumes.Create("v", 1);
        _engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "b" });

        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Set("b", new BackupChanges { Name = "renamed", State = "creating" }));
        Assert.Equal(ErrorIds.BackupStatusInvalid, e.ErrorId);
        e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Set("b", new BackupChanges { Name = "bad\u0001name", State = "error" }));
        Assert.Equal(ErrorIds.InvalidName, e.ErrorId);
        var b = _engine.Backups.Get("b");
        Assert.Equal("available", b.Status);
        Assert.Empty(b.Metadata);

        var set = _engine.Backups.Set("b", new BackupChanges
        {
            Name = "renamed", Description = "d", Metadata = new Dictionary<string, string> { ["k"] = "v" }, State = "ERROR",
        });
        Assert.Equal(("renamed", "d", "error", "v"), (set.Name, set.Description, set.Status, set.Metadata["k"]));
    }

    [Fact]
    public void VolumeSetRefusedStateLeavesNameAndSizeUnchanged()
    {
        var v = _engine.Volumes.Create("v", 1);
        var e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Set("v", new VolumeChanges
        {
            Name = "renamed", Metadata = new Dictionary<string, string> { ["k"] = "v" }, SizeGiB = 2, State = "in-use",
        }));
        Assert.Equal("Cannot reset-state to in-use because volume does not have any attachments.", e.Message);
        var after = _engine.Volumes.Get(v.Id);
        Assert.Equal(("v", 1, "available"), (after.Name, after.Size, after.Status));
        Assert.Empty(after.Metadata);
        Assert.Equal(1L << 30, new FileInfo(v.Path).Length);
    }

    [Fact]
    public void VolumeSetRefusedExtendLeavesNameAndStateUnchanged()
    {
        var v = _engine.Volumes.Create("v", 2);
        var e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Set("v", new VolumeChanges { Name = "renamed", SizeGiB = 1, State = "error" }));
        Assert.Equal(ErrorIds.InvalidSize, e.ErrorId);
        var after = _engine.Volumes.Get(v.Id);
        Assert.Equal(("v", 2, "available"), (after.Name, after.Size, after.Status));

        var set = _engine.Volumes.Set("v", new VolumeChanges { Name = "renamed", Description = "d", SizeGiB = 3, State = "maintenance" });
        Assert.Equal(("renamed", "d", 3, "maintenance"), (set.Name, set.Description, set.Size, set.Status));
        Assert.Equal(3L << 30, new FileInfo(v.Path).Length);
    }

    [Fact]
    public void VolumeFromBackupRefusedLeavesNoVolumeAndAddsMetadataAfterTheBackupsOwn()
    {
        var source = _engine.Volumes.Create("source", 1, "source description", metadata: new Dictionary<string, string> { ["a"] = "1", ["b"] = "1" });
        Disk.WriteRandom(source.Path, 0, 2 << 20, 3);
        _engine.Backups.Create(new BackupCreateOptions { Volume = "source", Name = "b" });

        var e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.CreateFromBackup(new VolumeFromBackupOptions
        {
            Backup = "b", Name = "new", Metadata = new Dictionary<string, string> { ["bad\u0001"] = "x" },
        }));
        Assert.Equal(ErrorIds.InvalidArgument, e.ErrorId);
        Assert.Throws<CinderBackupException>(() => _engine.Volumes.CreateFromBackup(new VolumeFromBackupOptions
        {
            Backup = "missing", Name = "new", Description = "d",
        }));
        Assert.Single(_engine.Volumes.List());
        Assert.Equal("available", _engine.Backups.Get("b").Status);

        var created = _engine.Volumes.CreateFromBackup(new VolumeFromBackupOptions
        {
            Backup = "b", Name = "new", Description = "mine", Metadata = new Dictionary<string, string> { ["b"] = "2", ["c"] = "2" },
        });
        Assert.Equal(("new", "mine", "available"), (created.Name, created.Description, created.Status));
        Assert.Equal(("1", "2", "2"), (created.Metadata["a"], created.Metadata["b"], created.Metadata["c"]));
        Assert.Equal(Disk.Sha256(source.Path), Disk.Sha256(created.Path));
        Assert.Equal("available", _engine.Backups.Get("b").Status);
    }
}
