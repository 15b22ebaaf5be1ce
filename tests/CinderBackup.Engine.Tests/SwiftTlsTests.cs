using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>A Swift proxy serving HTTPS with a certificate from a private CA: backup_swift_ca_cert_file (issue 18).</summary>
public sealed class SwiftTlsTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly SwiftServer _swift = SwiftServer.Start(tls: true);

    public void Dispose()
    {
        _swift.Dispose();
        _home.Dispose();
    }

    [Fact]
    public void TheProxyCertificateMustChainToTheConfiguredCaBundle()
    {
        Assert.StartsWith("https://", _swift.AuthUrl);
        var container = SwiftHome.Container("tls");
        var wrongCa = TestCertificates.Create(_home.File_("other"), "other").CaFile;

        // Not trusted by the system, nor by another CA: refused, and nothing recorded.
        foreach (var extra in new[] { "", $"backup_swift_ca_cert_file: {wrongCa}" })
        {
            SwiftHome.Configure(_home, _swift, container, extra + "\nbackup_swift_retry_attempts: 0");
            using var refused = S3Home.Open(_home);
            var v = S3Home.Volume(refused, _home, "tls" + extra.Length, seed: 3);
            var e = Assert.Throws<CinderBackupException>(() => refused.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
            Assert.Equal(ErrorIds.RepositoryUnavailable, e.ErrorId);
            Assert.Contains("SSL", e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Empty(refused.Backups.List());
        }

        // With the CA that signed the proxy's certificate: a full cycle over TLS.
        SwiftHome.Configure(_home, _swift, container, $"backup_swift_ca_cert_file: {_swift.Certificates!.CaFile}");
        using var trusted = S3Home.Open(_home);
        var volume = trusted.Volumes.Get("tls0");
        var length = new FileInfo(volume.Path).Length;
        var b = trusted.Backups.Create(new BackupCreateOptions { Volume = volume.Id });
        Assert.Equal("available", b.Status);
        Assert.NotEmpty(_swift.Objects(container));
        Assert.True(trusted.Backups.Verify(b.Id, deep: true).IsValid);
        var restored = trusted.Backups.Restore(b.Id);
        Assert.Equal(S3Home.Sha(volume.Path, length), S3Home.Sha(trusted.Volumes.Get(restored.VolumeId).Path, length));
    }
}
