using System.Text.Json;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Native.Ceph;

namespace CinderBackup.Engine.Tests.Ceph;

/// <summary>Ceph repositories (issue 18, items 2 and 5) from file volumes, against a real one-node cluster.</summary>
[Collection("ceph")]
public sealed class CephRepositoryTests : IDisposable
{
    private const long MiB = 1 << 20;
    private readonly CephServer _ceph;
    private readonly TempHome _home = new();

    public CephRepositoryTests(CephFixture fixture) => _ceph = fixture.Server;

    public void Dispose() => _home.Dispose();

    private static string Image(VolumeBackup b) => $"volume-{b.VolumeId}.backup.{b.Id}";

    [Fact]
    public void FullBackupInCindersCephLayoutRestoresVerifiesAndDeletes()
    {
        CephHome.Configure(_home, _ceph);
        using var engine = CephHome.Open(_home);
        var v = S3Home.Volume(engine, _home, "cephvol");
        var length = new FileInfo(v.Path).Length;
        var sha0 = S3Home.Sha(v.Path, length);

        var full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = "full" });
        Assert.Equal("available", full.Status);
        Assert.Equal("cinder.backup.drivers.ceph.CephBackupDriver", full.Service);
        Assert.Equal("backups", full.Container);
        Assert.Equal($"{{\"base\": \"{Image(full)}\"}}", full.ServiceMetadata);
        Assert.Equal(0, full.ObjectCount);
        Assert.Contains(Image(full), _ceph.Rbd("ls", "backups").Split('\n'));
        Assert.Matches($"backup\\.{full.Id}\\.snap\\.\\d+\\.\\d+", _ceph.Rbd("snap", "ls", "backups/" + Image(full)));
        Assert.Contains("1 GiB", _ceph.Rbd("info", "backups/" + Image(full)));
        var objects = _ceph.Rados("-p", "backups", "ls").Split('\n');
        Assert.Contains($"backup.{full.Id}.meta", objects);
        Assert.Contains($"backup.{full.Id}.sha256file", objects);
        var meta = JsonDocument.Parse(File.ReadAllText(Get($"backup.{full.Id}.meta")));
        Assert.Equal(2, meta.RootElement.GetProperty("version").GetInt32());
        // The image holds the volume's bytes, then zeros (as `rbd export` shows them).
        var exported = _home.File_("exported.img");
        _ceph.Rbd("export", $"backups/{Image(full)}", exported);
        Assert.Equal(sha0, S3Home.Sha(exported, length));

        Assert.True(engine.Backups.Verify(full.Id).IsValid);
        var deep = engine.Backups.Verify(full.Id, deep: true);
        Assert.True(deep.IsValid, deep.Problem);

        var restored = engine.Backups.Restore(full.Id);
        Assert.Equal(sha0, S3Home.Sha(engine.Volumes.Get(restored.VolumeId).Path, length));

        // Restore over the volume itself after it changed.
        S3Home.Change(v.Path, 4 * MiB, 5000, 9);
        Assert.NotEqual(sha0, S3Home.Sha(v.Path, length));
        engine.Backups.Restore(full.Id, v.Id);
        Assert.Equal(sha0, S3Home.Sha(v.Path, length));
        Assert.Equal(length, new FileInfo(v.Path).Length); // a registered file is never grown

        engine.Backups.Delete(full.Id);
        Assert.DoesNotContain(Image(full), _ceph.Rbd("ls", "backups").Split('\n'));
        objects = _ceph.Rados("-p", "backups", "ls").Split('\n');
        Assert.DoesNotContain($"backup.{full.Id}.meta", objects);
        Assert.DoesNotContain($"backup.{full.Id}.sha256file", objects);
    }

    [Fact]
    public void IncrementalFromAFileVolumeFailsWithCindersMessage()
    {
        CephHome.Configure(_home, _ceph);
        using var engine = CephHome.Open(_home);
        var v = S3Home.Volume(engine, _home, "cephinc");
        var full = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true }));
        Assert.Equal(ErrorIds.BackupFailed, e.ErrorId);
        Assert.Contains("Backup RBD operation failed", e.Message);
        var failed = engine.Backups.List(status: "error").Single();
        Assert.StartsWith("Backup RBD operation failed", failed.FailReason);
        Assert.DoesNotContain($"volume-{v.Id}.backup.{failed.Id}", _ceph.Rbd("ls", "backups"));
        Assert.Equal("available", engine.Volumes.Get(v.Id).Status);
        engine.Backups.Delete(failed.Id);
        engine.Backups.Delete(full.Id);
    }

    [Fact]
    public void CompressionIsIgnoredForceDeleteIsRefusedAsCinderDoes()
    {
        CephHome.Configure(_home, _ceph, "backup_compression_algorithm: zstd");
        using var engine = CephHome.Open(_home);
        var v = S3Home.Volume(engine, _home, "cephzstd");
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Compression = "zlib" });
        var exported = _home.File_("raw.img");
        _ceph.Rbd("export", $"backups/{Image(b)}", exported);
        var length = new FileInfo(v.Path).Length;
        Assert.Equal(S3Home.Sha(v.Path, length), S3Home.Sha(exported, length)); // stored as is, not compressed

        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Delete(b.Id, force: true));
        Assert.Equal("Operation not supported: force delete.", e.Message);
        Assert.Equal("available", engine.Backups.Get(b.Id).Status);
        engine.Backups.Delete(b.Id);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RestoreIntoABiggerVolumeDiscardsTheExcessAsConfigured(bool discard)
    {
        CephHome.Configure(_home, _ceph, $"restore_discard_excess_bytes: {(discard ? "true" : "false")}");
        using var engine = CephHome.Open(_home);
        var v = S3Home.Volume(engine, _home, "cephexcess" + discard);
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
        var big = engine.Volumes.Create("big" + discard, 2);
        var junk = new byte[4096];
        Array.Fill(junk, (byte)0xAB);
        using (var f = new FileStream(big.Path, FileMode.Open))
        {
            f.Position = 1536 * MiB; // past the backup's 1 GiB image
            f.Write(junk);
            f.Position = 0;
            f.Write(junk);
        }
        var result = engine.Backups.Restore(b.Id, big.Id);
        var length = new FileInfo(v.Path).Length;
        Assert.Equal(S3Home.Sha(v.Path, length), S3Home.Sha(big.Path, length));
        var tail = new byte[4096];
        using (var f = File.OpenRead(big.Path))
        {
            f.Position = 1536 * MiB;
            f.ReadExactly(tail);
        }
        Assert.Equal(discard, tail.All(x => x == 0));
        engine.Backups.Delete(b.Id);
        _ = result;
    }

    [Fact]
    public void DamagedOrMissingPiecesAreFoundAndNamed()
    {
        CephHome.Configure(_home, _ceph);
        using var engine = CephHome.Open(_home);
        var v = S3Home.Volume(engine, _home, "cephbad");
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });

        // A changed hash list: verify and restore refuse, naming it.
        var original = Get($"backup.{b.Id}.sha256file");
        var text = File.ReadAllText(original);
        var bad = _home.File_("bad.sha");
        File.WriteAllText(bad, text.Replace("\"sha256s\": [\n    \"", "\"sha256s\": [\n    \"0"));
        _ceph.Rados("-p", "backups", "put", $"backup.{b.Id}.sha256file", bad);
        var check = engine.Backups.Verify(b.Id, deep: true);
        Assert.False(check.IsValid);
        Assert.Contains($"backup.{b.Id}.sha256file", check.Problem);
        Assert.Throws<CinderBackupException>(() => engine.Backups.Restore(b.Id, v.Id));
        _ceph.Rados("-p", "backups", "put", $"backup.{b.Id}.sha256file", original);
        Assert.True(engine.Backups.Verify(b.Id, deep: true).IsValid);

        // A missing meta object (the commit point): a restore is refused before anything changes.
        var meta = Get($"backup.{b.Id}.meta");
        _ceph.Rados("-p", "backups", "rm", $"backup.{b.Id}.meta");
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Restore(b.Id));
        Assert.Equal(ErrorIds.BackupObjectMissing, e.ErrorId);
        Assert.Single(engine.Volumes.List(), x => x.Id == v.Id); // no volume made
        _ceph.Rados("-p", "backups", "put", $"backup.{b.Id}.meta", meta);
        engine.Backups.Delete(b.Id);
    }

    [Fact]
    public void AMissingPoolOrClusterIsNamed()
    {
        CephHome.Configure(_home, _ceph, "backup_ceph_pool: nosuchpool");
        using (var engine = CephHome.Open(_home))
        {
            var v = S3Home.Volume(engine, _home, "cephnopool");
            var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
            Assert.Contains("pool 'nosuchpool' does not exist", e.Message);
            Assert.Empty(engine.Backups.List());
        }
        CephHome.Configure(_home, _ceph, "backup_ceph_conf: /nonexistent/ceph.conf");
        using (var engine = CephHome.Open(_home))
        {
            var v = engine.Volumes.List().Single();
            var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
            Assert.Contains("/nonexistent/ceph.conf", e.Message);
        }
    }

    [Fact]
    public void RecordsExportAndImportWithCindersCephService()
    {
        CephHome.Configure(_home, _ceph);
        VolumeBackup b;
        IReadOnlyList<BackupRecord> records;
        string sha;
        long length;
        using (var engine = CephHome.Open(_home))
        {
            var v = S3Home.Volume(engine, _home, "cephrec");
            length = new FileInfo(v.Path).Length;
            sha = S3Home.Sha(v.Path, length);
            b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
            records = engine.Records.Export(b.Id);
        }
        Assert.Equal("cinder.backup.drivers.ceph.CephBackupDriver", records.Single().BackupService);
        using var other = new TempHome();
        CephHome.Configure(other, _ceph);
        using var second = CephHome.Open(other);
        second.Records.Import(records, verify: true);
        var restored = second.Backups.Restore(b.Id);
        Assert.Equal(sha, S3Home.Sha(second.Volumes.Get(restored.VolumeId).Path, length));
        Assert.True(second.Backups.Verify(b.Id, deep: true).IsValid);
        second.Backups.Delete(b.Id);
    }

    /// <summary>A RADOS object of the backup pool, fetched to a file.</summary>
    private string Get(string name)
    {
        var path = _home.File_(name + "." + Guid.NewGuid().ToString("N")[..6]);
        _ceph.Rados("-p", "backups", "get", name, path);
        return path;
    }
}
