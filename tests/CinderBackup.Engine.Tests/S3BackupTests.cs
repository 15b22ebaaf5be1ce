using System.Security.Cryptography;
using System.Text.RegularExpressions;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.Repositories.Chunked;
using CinderBackup.Engine.ObjectStores.S3;

namespace CinderBackup.Engine.Tests;

/// <summary>S3 repositories against a real local S3 server (moto): the whole backup cycle in Cinder's S3 layout.</summary>
[Collection("moto")]
public sealed class S3BackupTests : IDisposable
{
    private readonly MotoServer _moto;
    private readonly TempHome _home = new();

    public S3BackupTests(MotoFixture moto) => _moto = moto.Server;

    public void Dispose() => _home.Dispose();

    [Fact]
    public void FullIncrementalRestoreVerifyDeleteInCindersS3Layout()
    {
        var bucket = S3Home.Bucket("cycle");
        S3Home.Configure(_home, _moto.Endpoint, bucket);
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "s3vol");
        var length = new FileInfo(v.Path).Length;
        var sha0 = S3Home.Sha(v.Path, length);

        var full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "full" });
        Assert.Equal("available", full.Status);
        Assert.Equal(bucket, full.Container);
        Assert.Equal("default", full.Repository);
        Assert.Equal(RepositoryDefinitionNames.S3, full.Service);
        Assert.Matches($"^volume_{v.Id}/\\d{{14}}/az_nova_backup_{full.Id}$", full.ServiceMetadata);
        Assert.Equal(6, full.ObjectCount); // 5 MiB + 12345 in 1 MiB objects

        var store = (S3ObjectStore)((ChunkedRepository)new RepositoryResolver(engine.Config).Default()).Store;
        var keys = store.List(bucket, full.ServiceMetadata!);
        Assert.Equal(8, keys.Count);
        Assert.Contains(full.ServiceMetadata + "-00001", keys);
        Assert.Contains(full.ServiceMetadata + "_sha256file", keys);
        Assert.Contains(full.ServiceMetadata + "_metadata", keys);
        Assert.Empty(Directory.EnumerateFiles(store.StagingDirectory)); // every staging file went away

        S3Home.Change(v.Path, 4 * S3Home.MiB + 100, 5000, 7);
        var sha1 = S3Home.Sha(v.Path, length);
        var inc = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "inc", Incremental = true });
        Assert.Equal(full.Id, inc.ParentId);
        Assert.Equal(1, inc.ObjectCount);

        foreach (var (backup, expected) in new[] { (full, sha0), (inc, sha1) })
        {
            var restored = engine.Backups.Restore(backup.Id);
            Assert.Equal(expected, S3Home.Sha(engine.Volumes.Get(restored.VolumeId).Path, length));
            var check = engine.Backups.Verify(backup.Id, deep: true);
            Assert.True(check.IsValid, check.Problem);
        }

        engine.Backups.Delete(inc.Id);
        engine.Backups.Delete(full.Id);
        Assert.Empty(store.List(bucket, $"volume_{v.Id}/"));
    }

    [Fact]
    public void DiscoveryRebuildsRecordsFromABucket()
    {
        var bucket = S3Home.Bucket("discover");
        S3Home.Configure(_home, _moto.Endpoint, bucket);
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
        Assert.Equal((inc.Name, inc.ParentId, inc.ObjectCount, bucket, inc.Size, RepositoryDefinitionNames.S3),
            (rebuilt.Name, rebuilt.ParentId, rebuilt.ObjectCount, rebuilt.Container, rebuilt.Size, rebuilt.BackupService));
        Assert.Equal("first", found.Single(f => f.BackupId == full.Id).Record!.Description);
        fresh.Records.Import(found.Select(f => f.Record!).ToList());
        foreach (var (id, expected) in new[] { (full.Id, sha0), (inc.Id, sha1) })
        {
            var restored = fresh.Backups.Restore(id);
            Assert.Equal(expected, S3Home.Sha(fresh.Volumes.Get(restored.VolumeId).Path, length));
        }
        var e = Assert.Throws<CinderBackupException>(() => fresh.Records.Discover(container: S3Home.Bucket("absent")));
        Assert.Equal(ErrorIds.ContainerNotFound, e.ErrorId);
    }

    [Fact]
    public void RecordsExportAndImportIntoAnotherCatalog()
    {
        var bucket = S3Home.Bucket("records");
        S3Home.Configure(_home, _moto.Endpoint, bucket);
        VolumeBackup full, inc;
        BackupRecord[] records;
        string expected;
        long length;
        using (var engine = S3Home.Open(_home))
        {
            var v = S3Home.Volume(engine, _home, "recvol");
            length = new FileInfo(v.Path).Length;
            full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
            S3Home.Change(v.Path, 100, 100, 3);
            inc = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
            expected = S3Home.Sha(v.Path, length);
            records = new[] { engine.Backups.Export(full.Id), engine.Backups.Export(inc.Id) };
            Assert.All(records, r => Assert.Equal(RepositoryDefinitionNames.S3, r.BackupService));
        }

        using var other = new TempHome();
        S3Home.Configure(other, _moto.Endpoint, "some-other-default-bucket");
        using var second = S3Home.Open(other);
        foreach (var r in records)
        {
            var imported = second.Backups.Import(r.BackupService, r.BackupUrl);
            Assert.Equal(bucket, imported.Container);
            Assert.Equal("default", imported.Repository);
        }
        var restored = second.Backups.Restore(inc.Id);
        Assert.Equal(expected, S3Home.Sha(second.Volumes.Get(restored.VolumeId).Path, length));
    }

    [Fact]
    public void EveryUploadCarriesContentMd5AsCindersDriverSends()
    {
        using var proxy = new FaultProxy(_moto.Port) { Record = true };
        S3Home.Configure(_home, proxy.Endpoint, S3Home.Bucket("md5"));
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "md5vol");
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
        var sent = proxy.Recorded;
        var puts = Regex.Matches(sent, "PUT /[^ ]+/volume_[^ ]+ HTTP/1.1\r\n(?:[^\r]+\r\n)*\r\n").Select(m => m.Value).ToList();
        Assert.Equal(b.ObjectCount + 2, puts.Count); // the data objects, _sha256file and _metadata
        var store = (S3ObjectStore)((ChunkedRepository)new RepositoryResolver(engine.Config).Default()).Store;
        foreach (var name in store.List(b.Container!, b.ServiceMetadata!))
        {
            using var stream = store.OpenRead(b.Container!, name);
            var md5 = Convert.ToBase64String(MD5.HashData(stream));
            Assert.Contains(puts, p => p.Contains("/" + name + " HTTP/1.1", StringComparison.Ordinal) &&
                p.Contains($"\r\nContent-MD5: {md5}\r\n", StringComparison.OrdinalIgnoreCase));
        }
        Assert.DoesNotContain(puts, p => p.Contains("aws-chunked", StringComparison.OrdinalIgnoreCase)); // plain bodies, as boto3 sends
    }

    [Fact]
    public void CustomerKeysAndNoMd5StillRoundTrip()
    {
        using var proxy = new FaultProxy(_moto.Port) { Record = true };
        var bucket = S3Home.Bucket("ssec");
        S3Home.Configure(_home, proxy.Endpoint, bucket,
            "backup_s3_sse_customer_key: 0123456789abcdef0123456789abcdef\nbackup_s3_sse_customer_algorithm: AES256\nbackup_s3_md5_validation: false");
        File.SetUnixFileMode(_home.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "ssevol");
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Compression = "zlib" });
        var restored = engine.Backups.Restore(b.Id);
        var length = new FileInfo(v.Path).Length;
        Assert.Equal(S3Home.Sha(v.Path, length), S3Home.Sha(engine.Volumes.Get(restored.VolumeId).Path, length));

        var sent = proxy.Recorded;
        var puts = Regex.Matches(sent, "PUT /[^ ]+/volume_[^ ]+ HTTP/1.1\r\n(?:[^\r]+\r\n)*\r\n").Select(m => m.Value).ToList();
        Assert.Equal(b.ObjectCount + 2, puts.Count);
        // boto3 sends the key base64-encoded with its MD5, as S3 wants; never Content-MD5 when validation is off.
        var key = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef"));
        Assert.All(puts, p =>
        {
            Assert.Contains("x-amz-server-side-encryption-customer-algorithm: AES256", p, StringComparison.OrdinalIgnoreCase);
            Assert.Contains($"x-amz-server-side-encryption-customer-key: {key}", p, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Content-MD5:", p, StringComparison.OrdinalIgnoreCase);
        });
        Assert.Matches("GET /[^ ]+/volume_[^\r]+\r\n(?:[^\r]+\r\n)*x-amz-server-side-encryption-customer-algorithm: AES256", sent);
    }

    [Fact]
    public void AMissingBucketWithCreationDisabledIsAClearErrorAndRecordsNothing()
    {
        var bucket = S3Home.Bucket("missing");
        S3Home.Configure(_home, _moto.Endpoint, bucket, "backup_create_containers: false");
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "nobucket");
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
        Assert.Equal(ErrorIds.ContainerNotFound, e.ErrorId);
        Assert.Contains("Repository 'default'", e.Message);
        Assert.Contains($"bucket '{bucket}' does not exist", e.Message);
        Assert.Empty(engine.Backups.List());
        Assert.Equal("available", engine.Volumes.Get(v.Id).Status);
    }

    [Fact]
    public void ARefusedBackupLeavesNoBucketBehind()
    {
        var bucket = S3Home.Bucket("refused");
        S3Home.Configure(_home, _moto.Endpoint, bucket);
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "refused");
        var store = ((ChunkedRepository)new RepositoryResolver(engine.Config).Default()).Store;
        engine.Quotas.Set("p1", backups: 0);
        Assert.Equal(ErrorIds.BackupLimitExceeded,
            Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id })).ErrorId);
        Assert.Equal(ErrorIds.VolumeNotFound,
            Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = "no-such-volume" })).ErrorId);
        engine.Volumes.Attach(v.Id, "instance", "/dev/vdb");
        Assert.Equal(ErrorIds.VolumeInUse,
            Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id })).ErrorId);
        Assert.False(store.ContainerExists(bucket));
        Assert.Empty(engine.Backups.List());

        // The backup that goes ahead creates the bucket.
        engine.Volumes.Detach(v.Id);
        engine.Quotas.Set("p1", backups: -1);
        Assert.Equal("available", engine.Backups.Create(new BackupCreateOptions { Volume = v.Id }).Status);
        Assert.True(store.ContainerExists(bucket));
    }

    [Theory]
    [InlineData("Upper_Case")]
    [InlineData("ab")]
    [InlineData("a..b")]
    [InlineData("192.168.10.20")]
    public void BucketNamesS3RejectsAreRefusedBeforeAnythingIsRecorded(string container)
    {
        S3Home.Configure(_home, _moto.Endpoint, S3Home.Bucket("names"));
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "names");
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Container = container }));
        Assert.Equal(ErrorIds.InvalidContainer, e.ErrorId);
        Assert.Contains($"Invalid container '{container}' for repository 'default' (s3)", e.Message);
        Assert.Empty(engine.Backups.List());
    }

    [Fact]
    public void AnEndpointThatDoesNotAnswerIsAClearErrorAndRecordsNothing()
    {
        var port = MotoServer.FreePort(); // nothing listens there
        S3Home.Configure(_home, $"http://127.0.0.1:{port}", S3Home.Bucket("down"), "backup_s3_retry_max_attempts: 2");
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "down");
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
        Assert.Equal(ErrorIds.RepositoryUnavailable, e.ErrorId);
        Assert.Contains($"Repository 'default' (s3, http://127.0.0.1:{port})", e.Message);
        Assert.Contains("after 2 attempts", e.Message);
        Assert.Contains("does not answer", e.Message);
        Assert.Empty(engine.Backups.List());
        Assert.Equal("available", engine.Volumes.Get(v.Id).Status);
    }

    [Fact]
    public void SeveralRepositoriesSideBySide()
    {
        var bucket = S3Home.Bucket("multi");
        _home.Set("AWS_ACCESS_KEY_ID", MotoServer.AccessKey).Set("AWS_SECRET_ACCESS_KEY", MotoServer.SecretKey);
        var local = _home.File_("local-repo");
        _home.WriteConfig($"""
            backup_file_size: 1MiB
            repositories:
              local:
                backup_driver: posix
                backup_posix_path: {local}
                default: true
              cloud:
                backup_driver: s3
                backup_s3_endpoint_url: {_moto.Endpoint}
                backup_s3_store_bucket: {bucket}
                backup_s3_object_size: 2MiB
            """);
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "multi");
        var length = new FileInfo(v.Path).Length;
        var onDisk = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "disk" });
        var inCloud = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "cloud", Repository = "cloud" });
        Assert.Equal(("local", RepositoryDefinitionNames.Posix, 6), (onDisk.Repository, onDisk.Service, onDisk.ObjectCount!.Value));
        Assert.Equal(("cloud", RepositoryDefinitionNames.S3, 5, bucket), (inCloud.Repository, inCloud.Service, inCloud.ObjectCount!.Value, inCloud.Container));
        Assert.True(File.Exists(Path.Combine(local, onDisk.Container!, onDisk.ServiceMetadata + "_metadata")));

        // An incremental goes to its parent's repository.
        S3Home.Change(v.Path, 0, 10, 9);
        var inc = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
        Assert.Equal(("cloud", inCloud.Id), (inc.Repository, inc.ParentId));
        var wrong = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true, Repository = "local" }));
        Assert.Contains("must go to the same repository", wrong.Message);

        // Each backup restores, verifies and exports from its own repository.
        var restored = engine.Backups.Restore(inCloud.Id);
        Assert.Equal(inCloud.Id, engine.Volumes.Get(restored.VolumeId).Metadata["src_backup_id"]);
        Assert.True(engine.Backups.Verify(inc.Id, deep: true).IsValid);
        Assert.True(engine.Backups.Verify(onDisk.Id, deep: true).IsValid);

        // Import picks the repository whose driver wrote the record; an unknown repository is named.
        var record = engine.Backups.Export(inCloud.Id);
        Assert.Equal(RepositoryDefinitionNames.S3, record.BackupService);
        var missing = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Repository = "tape" }));
        Assert.Equal(ErrorIds.RepositoryNotFound, missing.ErrorId);
        Assert.Equal("Repository 'tape' is not configured (configured: local, cloud; in '" + _home.ConfigPath + "').", missing.Message);
        Assert.Equal(3, engine.Backups.List().Count);

        engine.Backups.Delete(inc.Id);
        engine.Backups.Delete(inCloud.Id);
        using var fresh = new TempHome();
        fresh.Set("AWS_ACCESS_KEY_ID", MotoServer.AccessKey).Set("AWS_SECRET_ACCESS_KEY", MotoServer.SecretKey);
        fresh.WriteConfig(File.ReadAllText(_home.ConfigPath));
        using var other = S3Home.Open(fresh);
        var imported = other.Backups.Import(engine.Backups.Export(onDisk.Id).BackupService, engine.Backups.Export(onDisk.Id).BackupUrl);
        Assert.Equal("local", imported.Repository);
    }
}
