using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.ObjectStores.Swift;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.Repositories.Chunked;

namespace CinderBackup.Engine.Tests;

/// <summary>Swift repositories against a real Swift all-in-one (tempauth): the whole backup cycle in Cinder's Swift layout.</summary>
[Collection("swift")]
public sealed class SwiftBackupTests : IDisposable
{
    private readonly SwiftServer _swift;
    private readonly TempHome _home = new();

    public SwiftBackupTests(SwiftFixture swift) => _swift = swift.Server;

    public void Dispose() => _home.Dispose();

    private static SwiftObjectStore Store(BackupEngine engine) =>
        (SwiftObjectStore)((ChunkedRepository)new RepositoryResolver(engine.Config).Default()).Store;

    [Fact]
    public void FullIncrementalRestoreVerifyDeleteInCindersSwiftLayout()
    {
        var container = SwiftHome.Container("cycle");
        SwiftHome.Configure(_home, _swift, container);
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "swiftvol");
        var length = new FileInfo(v.Path).Length;
        var sha0 = S3Home.Sha(v.Path, length);

        var full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "full" });
        Assert.Equal(("available", container, RepositoryDefinitionNames.Swift), (full.Status, full.Container, full.Service));
        Assert.Matches($"^volume_{v.Id}/\\d{{14}}/az_nova_backup_{full.Id}$", full.ServiceMetadata);
        Assert.Equal(6, full.ObjectCount);
        var names = _swift.Objects(container);
        Assert.Equal(new[] { ".cinderbackup-repository" }
            .Concat(Enumerable.Range(1, 6).Select(i => $"{full.ServiceMetadata}-{i:D5}"))
            .Concat(new[] { full.ServiceMetadata + "_metadata", full.ServiceMetadata + "_sha256file" }), names);
        Assert.Empty(Directory.EnumerateFiles(Store(engine).StagingDirectory)); // every staging file went away

        S3Home.Change(v.Path, 4 * S3Home.MiB + 100, 5000, 7);
        var sha1 = S3Home.Sha(v.Path, length);
        var inc = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "inc", Incremental = true });
        Assert.Equal((full.Id, 1), (inc.ParentId, inc.ObjectCount));

        foreach (var (backup, expected) in new[] { (full, sha0), (inc, sha1) })
        {
            var restored = engine.Backups.Restore(backup.Id);
            Assert.Equal(expected, S3Home.Sha(engine.Volumes.Get(restored.VolumeId).Path, length));
            var check = engine.Backups.Verify(backup.Id, deep: true);
            Assert.True(check.IsValid, check.Problem);
        }

        engine.Backups.Delete(inc.Id);
        engine.Backups.Delete(full.Id);
        Assert.Equal(new[] { ".cinderbackup-repository" }, _swift.Objects(container));
    }

    [Theory]
    [InlineData("zlib")]
    [InlineData("bz2")]
    [InlineData("zstd")]
    [InlineData("none")]
    public void EveryCodecRoundTrips(string codec)
    {
        var container = SwiftHome.Container(codec);
        SwiftHome.Configure(_home, _swift, container, $"backup_compression_algorithm: {codec}");
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "codec-" + codec, seed: 3);
        var length = new FileInfo(v.Path).Length;
        var full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
        S3Home.Change(v.Path, 1000, 70000, 4);
        var expected = S3Home.Sha(v.Path, length);
        var inc = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
        Assert.Equal(full.Id, inc.ParentId);
        Assert.True(engine.Backups.Verify(inc.Id, deep: true).IsValid);
        var restored = engine.Backups.Restore(inc.Id);
        Assert.Equal(expected, S3Home.Sha(engine.Volumes.Get(restored.VolumeId).Path, length));
    }

    [Fact]
    public void AChangedObjectFailsVerifyAndARestoreRefusesIt()
    {
        var container = SwiftHome.Container("corrupt");
        SwiftHome.Configure(_home, _swift, container);
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "corruptvol");
        var full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
        var store = Store(engine);
        var name = full.ServiceMetadata + "-00004";
        store.Delete(container, name);
        using (var staged = store.Stage(container, "t"))
        {
            staged.Stream.Write(new byte[1000]);
            staged.Commit(name);
        }
        store.WaitForWrites();
        Assert.False(engine.Backups.Verify(full.Id, deep: true).IsValid);
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Restore(full.Id));
        Assert.Contains(e.ErrorId, new[] { ErrorIds.BackupCorrupt, ErrorIds.RestoreFailed, ErrorIds.InvalidBackup });
    }

    [Fact]
    public void DiscoveryRebuildsRecordsFromAContainer()
    {
        var container = SwiftHome.Container("discover");
        SwiftHome.Configure(_home, _swift, container);
        string sha0, sha1;
        long length;
        VolumeBackup full, inc;
        using (var engine = S3Home.Open(_home))
        {
            var v = S3Home.Volume(engine, _home, "discvol");
            length = new FileInfo(v.Path).Length;
            sha0 = S3Home.Sha(v.Path, length);
            full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "full", Description = "first" });
            S3Home.Change(v.Path, 2 * S3Home.MiB + 7, 3000, 9);
            sha1 = S3Home.Sha(v.Path, length);
            inc = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "inc", Incremental = true });
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _home.LoseCatalog();

        using var fresh = S3Home.Open(_home);
        var found = fresh.Records.Discover();
        Assert.Equal(new[] { full.Id, inc.Id }.Order(), found.Select(f => f.BackupId).Order());
        Assert.All(found, f => Assert.True(f.Status == DiscoveryStatus.Complete, f.Problem));
        var rebuilt = found.Single(f => f.BackupId == inc.Id).Record!;
        Assert.Equal((inc.Name, inc.ParentId, inc.ObjectCount, container, inc.Size, RepositoryDefinitionNames.Swift),
            (rebuilt.Name, rebuilt.ParentId, rebuilt.ObjectCount, rebuilt.Container, rebuilt.Size, rebuilt.BackupService));
        fresh.Records.Import(found.Select(f => f.Record!).ToList());
        foreach (var (id, expected) in new[] { (full.Id, sha0), (inc.Id, sha1) })
        {
            var restored = fresh.Backups.Restore(id);
            Assert.Equal(expected, S3Home.Sha(fresh.Volumes.Get(restored.VolumeId).Path, length));
        }
        var e = Assert.Throws<CinderBackupException>(() => fresh.Records.Discover(container: SwiftHome.Container("absent")));
        Assert.Equal(ErrorIds.ContainerNotFound, e.ErrorId);
    }

    [Fact]
    public void RecordsExportWithSwiftsServiceAndImportIntoAnotherCatalog()
    {
        var container = SwiftHome.Container("records");
        SwiftHome.Configure(_home, _swift, container);
        VolumeBackup inc;
        BackupRecord[] records;
        string expected;
        long length;
        using (var engine = S3Home.Open(_home))
        {
            var v = S3Home.Volume(engine, _home, "recvol");
            length = new FileInfo(v.Path).Length;
            var full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
            S3Home.Change(v.Path, 100, 100, 3);
            inc = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
            expected = S3Home.Sha(v.Path, length);
            records = new[] { engine.Backups.Export(full.Id), engine.Backups.Export(inc.Id) };
            Assert.All(records, r => Assert.Equal(RepositoryDefinitionNames.Swift, r.BackupService));
        }

        using var other = new TempHome();
        SwiftHome.Configure(other, _swift, "some-other-default-container");
        using var second = S3Home.Open(other);
        foreach (var r in records)
        {
            var imported = second.Backups.Import(r.BackupService, r.BackupUrl);
            Assert.Equal((container, RepositoryDefinitionNames.Swift), (imported.Container, imported.Service));
        }
        var restored = second.Backups.Restore(inc.Id);
        Assert.Equal(expected, S3Home.Sha(second.Volumes.Get(restored.VolumeId).Path, length));

        // A posix repository does not take a Swift record: Cinder's refusal.
        using var posix = new TempHome();
        posix.WriteConfig("backup_driver: posix\n");
        using var third = S3Home.Open(posix);
        var e = Assert.Throws<CinderBackupException>(() => third.Backups.Import(records[0].BackupService, records[0].BackupUrl));
        Assert.StartsWith("Import record failed, cannot find backup service to perform the import. Request service cinder.backup.drivers.swift.SwiftBackupDriver.", e.Message);
    }

    [Fact]
    public void PerUserAuthUsesTheCallersTokenOnBackupSwiftUrlPlusProject()
    {
        var container = SwiftHome.Container("peruser");
        SwiftHome.Configure(_home, _swift, container,
            $"backup_swift_auth: per_user\nbackup_swift_url: {_swift.StorageUrlPrefix}\nbackup_swift_user: ~\nbackup_swift_key: ~\nbackup_swift_auth_url: ~");
        var token = _swift.Token();
        _home.Set("OS_AUTH_TOKEN", token);
        using (var engine = EngineFactory.Open(_home, SwiftServer.Account, "u1", admin: true))
        {
            var v = S3Home.Volume(engine, _home, "pervol");
            var full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
            Assert.True(engine.Backups.Verify(full.Id, deep: true).IsValid);
            Assert.Contains(full.ServiceMetadata + "_metadata", _swift.Objects(container));
        }

        // The session's token wins over OS_AUTH_TOKEN; a bad one is refused without showing it.
        var bad = "AUTH_tk" + new string('0', 32);
        using var refused = BackupEngine.Open(EngineFactory.Options(_home, SwiftServer.Account, "u1", admin: true) with { OsToken = bad });
        var vol = S3Home.Volume(refused, _home, "pervol2");
        var e = Assert.Throws<CinderBackupException>(() => refused.Backups.Create(new BackupCreateOptions { Volume = vol.Id }));
        Assert.Equal(ErrorIds.RepositoryAccessDenied, e.ErrorId);
        Assert.DoesNotContain(bad, e.ToString());
        Assert.DoesNotContain(token, e.ToString());

        // No token at all: a clear error naming where to give one.
        _home.Set("OS_AUTH_TOKEN", null);
        using var none = EngineFactory.Open(_home, SwiftServer.Account, "u1", admin: true);
        var vol3 = S3Home.Volume(none, _home, "pervol3");
        e = Assert.Throws<CinderBackupException>(() => none.Backups.Create(new BackupCreateOptions { Volume = vol3.Id }));
        Assert.Contains("--os-token", e.Message);
    }

    [Fact]
    public void AWrongKeyIsAccessDeniedAndNeverShown()
    {
        var key = "wrong-key-0123456789";
        SwiftHome.Configure(_home, _swift, SwiftHome.Container("denied"), $"backup_swift_key: {key}");
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "deniedvol");
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
        Assert.Equal(ErrorIds.RepositoryAccessDenied, e.ErrorId);
        Assert.Contains("backup_swift_key", e.Message);
        Assert.DoesNotContain(key, e.ToString());
        Assert.Empty(engine.Backups.List());
        // On a PostgreSQL catalog nothing may have made the data directory yet.
        foreach (var log in Directory.Exists(_home.Home) ? Directory.EnumerateFiles(_home.Home, "*.log", SearchOption.AllDirectories) : [])
        {
            Assert.DoesNotContain(key, File.ReadAllText(log));
        }
    }

    [Fact]
    public void AMissingContainerWithCreationDisabledIsAClearErrorAndRecordsNothing()
    {
        var container = SwiftHome.Container("nocreate");
        SwiftHome.Configure(_home, _swift, container, "backup_create_containers: false");
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "nocreatevol");
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
        Assert.Equal(ErrorIds.ContainerNotFound, e.ErrorId);
        Assert.Contains(container, e.Message);
        Assert.Empty(engine.Backups.List());
    }

    [Fact]
    public void AProxyThatDoesNotAnswerIsRetriedThenAClearError()
    {
        var port = MotoServer.FreePort();
        SwiftHome.Configure(_home, _swift, SwiftHome.Container("down"), $"backup_swift_auth_url: http://127.0.0.1:{port}/auth/v1.0\nbackup_swift_retry_attempts: 2");
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "downvol");
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
        Assert.Equal(ErrorIds.RepositoryUnavailable, e.ErrorId);
        Assert.Contains("after 3 attempts", e.Message);
        Assert.Empty(engine.Backups.List());
    }
}
