using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// Admin reset of a volume's state (issue 16, item 10), as Cinder's os-reset_status (<c>openstack volume set
/// --state</c>, <c>cinder reset-state</c>): Cinder's statuses and messages, admin only, and a volume left
/// error_restoring by a failed restore can be restored into again.
/// </summary>
public sealed class VolumeResetStateTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly BackupEngine _engine;

    public VolumeResetStateTests()
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
    public void AVolumeLeftErrorRestoringIsRestoredIntoAgainAfterAReset()
    {
        var source = _engine.Volumes.Create("source", 1);
        Disk.WriteRandom(source.Path, 0, 3 << 20, 1);
        var backup = _engine.Backups.Create(new BackupCreateOptions { Volume = "source", Name = "b" });
        var target = _engine.Volumes.Create("target", 1);

        // A damaged object makes the restore fail part way: the target is error_restoring.
        var obj = Path.Combine(_home.Home, "backup", backup.Container!, backup.ServiceMetadata + "-00002");
        var good = File.ReadAllBytes(obj);
        var bad = (byte[])good.Clone();
        bad[^1] ^= 0xff;
        File.WriteAllBytes(obj, bad);
        Assert.Equal(ErrorIds.RestoreFailed, Assert.Throws<CinderBackupException>(() => _engine.Backups.Restore("b", "target")).ErrorId);
        Assert.Equal("error_restoring", _engine.Volumes.Get("target").Status);

        // Repaired, the backup restores, but not into a volume in error_restoring: Cinder's message.
        File.WriteAllBytes(obj, good);
        var refused = Assert.Throws<CinderBackupException>(() => _engine.Backups.Restore("b", "target"));
        Assert.Equal("Invalid volume: Volume to be restored to must be available", refused.Message);

        var reset = _engine.Volumes.ResetState("target", "available");
        Assert.Equal("available", reset.Status);
        _engine.Backups.Restore("b", "target");
        Assert.Equal("available", _engine.Volumes.Get("target").Status);
        Assert.Equal(Disk.Sha256(source.Path), Disk.Sha256(target.Path));
    }

    [Fact]
    public void OnlyCindersStatusesAndOnlyAdmins()
    {
        _engine.Volumes.Create("v", 1);
        var e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.ResetState("v", "bogus"));
        Assert.Equal(ErrorIds.VolumeStatusInvalid, e.ErrorId);
        Assert.Equal("Volume status: bogus is invalid, valid statuses are: ('creating', 'available', 'deleting', 'error', 'error_deleting', "
            + "'error_managing', 'managing', 'attaching', 'in-use', 'detaching', 'maintenance', 'restoring-backup', 'error_restoring', "
            + "'reserved', 'awaiting-transfer', 'backing-up', 'error_backing-up', 'error_extending', 'downloading', 'uploading', "
            + "'retyping', 'extending').", e.Message);
        foreach (var status in new[] { "deleting", "error_deleting", "DETACHING" })
        {
            e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.ResetState("v", status));
            Assert.Equal(ErrorIds.VolumeStatusInvalid, e.ErrorId);
            Assert.Equal($"Cannot reset-state to {status.ToLowerInvariant()}", e.Message);
        }
        e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.ResetState("v", "in-use"));
        Assert.Equal("Cannot reset-state to in-use because volume does not have any attachments.", e.Message);
        Assert.Equal("available", _engine.Volumes.Get("v").Status);

        Assert.Equal("error", _engine.Volumes.ResetState("v", "ERROR").Status); // any case, stored as Cinder spells it
        Assert.Equal("maintenance", _engine.Volumes.ResetState("v", "maintenance").Status);
        _engine.Volumes.ResetState("v", "available");
        _engine.Volumes.Attach("v", "inst1", "/dev/vdc");
        _engine.Volumes.ResetState("v", "error");
        Assert.Equal("in-use", _engine.Volumes.ResetState("v", "in-use").Status); // it has an attachment

        using var user = EngineFactory.Open(_home, "default", "bob", admin: false);
        e = Assert.Throws<CinderBackupException>(() => user.Volumes.ResetState("v", "available"));
        Assert.Equal(ErrorIds.PolicyNotAuthorized, e.ErrorId);
        Assert.Equal("Policy doesn't allow volume_extension:volume_admin_actions:reset_status to be performed.", e.Message);
        Assert.Equal("in-use", _engine.Volumes.Get("v").Status);
    }
}
