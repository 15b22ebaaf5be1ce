using CinderBackup.Engine.Api;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// The whole engine over a repository held in memory: the configured posix repository is a <see cref="MemoryObjectStore"/>
/// (its directory is never made), the catalog and the volumes are files as usual. Backup, incremental, verify, restore
/// and delete go through the engine's API as a front end calls it.
/// </summary>
public sealed class MemoryRepositoryTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly string _repository;
    private readonly MemoryObjectStore _store;
    private readonly IDisposable _registration;
    private readonly BackupEngine _engine;

    public MemoryRepositoryTests()
    {
        _repository = _home.File_("repository");
        _home.WriteConfig($"backup_posix_path: {_repository}\nbackup_file_size: 4MiB\n");
        (_store, _registration) = MemoryObjectStore.Register(_repository);
        _engine = EngineFactory.Open(_home);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _registration.Dispose();
        _home.Dispose();
    }

    private VolumeBackup Backup(string volume, bool incremental = false) =>
        _engine.Backups.Create(new BackupCreateOptions { Volume = volume, Incremental = incremental });

    /// <summary>A registered image file of 24 MiB: small volumes keep the test quick.</summary>
    private string Image(string volume)
    {
        var path = _home.File_(volume + ".img");
        using (var fs = new FileStream(path, FileMode.CreateNew))
        {
            fs.SetLength(24L << 20);
        }
        _engine.Volumes.Register(volume, path);
        return path;
    }

    [Fact]
    public void BackupIncrementalVerifyRestoreAndDeleteWithoutARepositoryDirectory()
    {
        var image = Image("vol");
        Disk.WriteRandom(image, 0, 3 << 20, seed: 1);
        Disk.WriteRandom(image, 17L << 20, 1 << 20, seed: 2);
        var atFull = Disk.Sha256(image);
        var full = Backup("vol");
        Disk.WriteRandom(image, 1L << 20, 100_000, seed: 3);
        Disk.WriteRandom(image, 21L << 20, 50_000, seed: 4);
        var atIncremental = Disk.Sha256(image);
        var incremental = Backup("vol", incremental: true);

        Assert.Equal(("available", "available", full.Id), (full.Status, incremental.Status, incremental.ParentId));
        Assert.Equal("cinder.backup.drivers.posix.PosixBackupDriver", incremental.Service);
        Assert.Contains(full.ServiceMetadata + "_metadata", _store.List(full.Container!, full.ServiceMetadata!));
        Assert.Equal(2, _store.List(incremental.Container!, incremental.ServiceMetadata!).Count - incremental.ObjectCount);
        Assert.NotNull(_store.ReadMarker(full.Container!));

        var verified = _engine.Backups.Verify(incremental.Id, deep: true);
        Assert.True(verified.IsValid, verified.Problem);
        Assert.Equal(2, verified.ChainLength);

        var toIncremental = Image("to-incremental");
        var toFull = Image("to-full");
        _engine.Backups.Restore(incremental.Id, "to-incremental");
        _engine.Backups.Restore(full.Id, "to-full");
        Assert.Equal(atIncremental, Disk.Sha256(toIncremental));
        Assert.Equal(atFull, Disk.Sha256(toFull));

        _engine.Backups.Delete(incremental.Id);
        _engine.Backups.Delete(full.Id);
        Assert.Empty(_engine.Backups.List());
        Assert.Equal(1, _store.ObjectCount); // the repository marker, and nothing of the backups
        Assert.False(Directory.Exists(_repository));
    }

    [Fact]
    public void ADamagedObjectIsFoundByDeepVerifyAndRefusedByRestore()
    {
        Disk.WriteRandom(Image("vol"), 0, 6 << 20, seed: 5);
        var full = Backup("vol");
        var first = _store.List(full.Container!, full.ServiceMetadata! + "-").First();
        using (var stream = _store.OpenRead(full.Container!, first))
        {
            var data = new byte[stream.Length];
            stream.ReadExactly(data);
            data[data.Length / 2] ^= 0xFF;
            _store.Overwrite(full.Container!, first, data);
        }

        Assert.True(_engine.Backups.Verify(full.Id).IsValid); // quick: the object is there, with its length
        var deep = _engine.Backups.Verify(full.Id, deep: true);
        Assert.False(deep.IsValid);
        Assert.Equal(first, deep.FailedObject);
        Image("target");
        var e = Assert.Throws<Errors.CinderBackupException>(() => _engine.Backups.Restore(full.Id, "target"));
        Assert.Contains(first, e.Message);
    }
}
