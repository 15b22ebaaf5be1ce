using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// Issue 20: Cinder's <c>gigabytes</c> quota counts snapshots' sizes (volume/api.py _create_snapshot reserves the
/// volume's size, unless no_snapshot_gb_quota) and an extend reserves the added size (volume/api.py _extend), both
/// refused with VolumeSizeExceedsAvailableQuota's text and changing nothing.
/// </summary>
public sealed class VolumeGigabytesQuotaTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly BackupEngine _engine;

    public VolumeGigabytesQuotaTests() : this("") { }

    private VolumeGigabytesQuotaTests(string config)
    {
        _home.WriteConfig(config);
        _engine = EngineFactory.Open(_home);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _home.Dispose();
    }

    private (long InUse, long Reserved) Gigabytes(BackupEngine engine)
    {
        var u = engine.Quotas.Usage().Single(x => x.Type == "gigabytes");
        return (u.InUse, u.Reserved);
    }

    private static void AssertOverQuota(string requested, string quota, string consumed, Action act)
    {
        var e = Assert.Throws<CinderBackupException>(act);
        Assert.Equal((ErrorIds.VolumeSizeExceedsAvailableQuota, ErrorKind.QuotaExceeded), (e.ErrorId, e.Kind));
        Assert.Equal($"Requested volume or snapshot exceeds allowed gigabytes quota. Requested {requested}G, quota is {quota}G and {consumed}G has been consumed.", e.Message);
    }

    [Fact]
    public void SnapshotsCountAgainstGigabytesAndAreRefusedOverIt()
    {
        _engine.Quotas.Set("default", gigabytes: 5);
        _engine.Volumes.Create("v", 2);
        var s1 = _engine.Snapshots.Create("v", "s1");
        Assert.Equal((4, 0), Gigabytes(_engine));

        AssertOverQuota("2", "5", "4", () => _engine.Snapshots.Create("v", "s2"));
        Assert.Equal(new[] { s1.Id }, _engine.Snapshots.List().Select(s => s.Id));
        Assert.Equal(new[] { "snapshot-" + s1.Id }, Directory.GetFiles(_engine.Config.SnapshotPath).Select(Path.GetFileName));
        // A new volume counts the snapshot too.
        AssertOverQuota("2", "5", "4", () => _engine.Volumes.Create("w", 2));
        Assert.Equal((4, 0), Gigabytes(_engine));

        // Deleting the snapshot gives its room back.
        _engine.Snapshots.Delete(s1.Id);
        Assert.Equal((2, 0), Gigabytes(_engine));
        _engine.Snapshots.Create("v", "s3");
        Assert.Equal((4, 0), Gigabytes(_engine));
    }

    [Fact]
    public void TemporarySnapshotsOfABackupAreNotCounted()
    {
        _engine.Quotas.Set("default", gigabytes: 2);
        var v = _engine.Volumes.Create("v", 2);
        Disk.WriteRandom(v.Path, 0, 1 << 20, seed: 1);
        _engine.Volumes.Attach("v", "inst1", "/dev/vdc");
        // An in-use volume is backed up from a temporary snapshot (use_quota false, as Cinder's): not over quota.
        var b = _engine.Backups.Create(new BackupCreateOptions { Volume = "v", Force = true });
        Assert.Equal("available", b.Status);
        Assert.Equal((2, 0), Gigabytes(_engine));
    }

    [Fact]
    public void NoSnapshotGbQuotaLeavesSnapshotsOut()
    {
        using var other = new VolumeGigabytesQuotaTests("no_snapshot_gb_quota: true\n");
        other._engine.Quotas.Set("default", gigabytes: 2);
        other._engine.Volumes.Create("v", 2);
        other._engine.Snapshots.Create("v", "s1");
        other._engine.Snapshots.Create("v", "s2");
        Assert.Equal((2, 0), Gigabytes(other._engine));
    }

    [Fact]
    public void ExtendReservesTheAddedSizeAndIsRefusedOverQuota()
    {
        _engine.Quotas.Set("default", gigabytes: 5);
        var v = _engine.Volumes.Create("v", 2);
        AssertOverQuota("4", "5", "2", () => _engine.Volumes.Extend("v", 6));
        var after = _engine.Volumes.Get("v");
        Assert.Equal((2, "available"), (after.Size, after.Status));
        Assert.Equal(2L << 30, new FileInfo(v.Path).Length);
        Assert.Equal((2, 0), Gigabytes(_engine));

        _engine.Volumes.Extend("v", 5);
        Assert.Equal(5, _engine.Volumes.Get("v").Size);
        Assert.Equal((5, 0), Gigabytes(_engine));

        // A snapshot's size counts against an extend too.
        _engine.Quotas.Set("default", gigabytes: 12);
        _engine.Snapshots.Create("v", "s");
        AssertOverQuota("3", "12", "10", () => _engine.Volumes.Extend("v", 8));
        _engine.Volumes.Extend("v", 7);
        Assert.Equal((12, 0), Gigabytes(_engine));
    }

    [Fact]
    public void AFailedExtendGivesItsReservationBack()
    {
        _engine.Quotas.Set("default", gigabytes: 5);
        var v = _engine.Volumes.Create("v", 2);
        File.Delete(v.Path); // the grow fails: the volume is left error_extending, as Cinder's manager leaves it
        var e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Extend("v", 5));
        Assert.Equal(ErrorIds.VolumeIOError, e.ErrorId);
        Assert.Equal("error_extending", _engine.Volumes.Get("v").Status);
        Assert.Equal((2, 0), Gigabytes(_engine));
    }
}
