using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>single_user Keystone v3 password auth (backup_swift_auth_version: 3) against a real Keystone and a Swift proxy that trusts it (issue 18).</summary>
public sealed class SwiftKeystoneTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly SwiftServer _swift = SwiftServer.Start(tls: false, keystone: true);

    public void Dispose()
    {
        _swift.Dispose();
        _home.Dispose();
    }

    private void Configure(string container, string password) => SwiftHome.Configure(_home, _swift, container, string.Join('\n',
        $"backup_swift_auth_url: {_swift.Keystone!.AuthUrl}", "backup_swift_auth_version: 3",
        $"backup_swift_user: {KeystoneServer.DemoUser}", $"backup_swift_key: {password}", $"backup_swift_project: {KeystoneServer.DemoProject}"));

    [Fact]
    public void AKeystoneTokenAndItsCatalogsStorageUrlCarryAFullCycleAndAWrongPasswordIsRefused()
    {
        var container = SwiftHome.Container("keystone");
        Configure(container, "wrongpw");
        using (var refused = S3Home.Open(_home))
        {
            var v = S3Home.Volume(refused, _home, "ks", seed: 5);
            var e = Assert.Throws<CinderBackupException>(() => refused.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
            Assert.Equal(ErrorIds.RepositoryAccessDenied, e.ErrorId);
            Assert.Contains("backup_swift_project", e.Message);
            Assert.DoesNotContain("wrongpw", e.ToString());
            Assert.Empty(refused.Backups.List());
        }

        Configure(container, KeystoneServer.DemoPassword);
        using var engine = S3Home.Open(_home);
        var volume = engine.Volumes.Get("ks");
        var length = new FileInfo(volume.Path).Length;
        var full = engine.Backups.Create(new BackupCreateOptions { Volume = volume.Id });
        S3Home.Change(volume.Path, 1 << 20, 5000, 6);
        var inc = engine.Backups.Create(new BackupCreateOptions { Volume = volume.Id, Incremental = true });
        Assert.Equal(("available", full.Id), (inc.Status, inc.ParentId));
        // The objects are in project demo's account, the one Keystone's catalog names.
        Assert.Contains(_swift.Objects(container), o => o.EndsWith("_metadata", StringComparison.Ordinal));
        Assert.True(engine.Backups.Verify(inc.Id, deep: true).IsValid);
        var restored = engine.Backups.Restore(inc.Id);
        Assert.Equal(S3Home.Sha(volume.Path, length), S3Home.Sha(engine.Volumes.Get(restored.VolumeId).Path, length));
        // No file of the data directory but the configuration holds the password (catalog, log, temporary files).
        foreach (var file in Directory.EnumerateFiles(_home.Home, "*", SearchOption.AllDirectories).Where(f => f != _home.ConfigPath && new FileInfo(f).Length < (64 << 20)))
        {
            Assert.DoesNotContain(KeystoneServer.DemoPassword, File.ReadAllText(file));
        }
    }
}
