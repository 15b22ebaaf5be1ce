using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>An S3 server over TLS with a certificate from a private CA: backup_s3_ca_cert_file and backup_s3_verify_ssl.</summary>
public sealed class S3TlsTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly string _caFile;
    private readonly MotoServer _moto;

    public S3TlsTests()
    {
        var certificates = TestCertificates.Create(_home.File_("tls"));
        _caFile = certificates.CaFile;
        _moto = new MotoServer(tls: (certificates.CertFile, certificates.KeyFile));
    }

    public void Dispose()
    {
        _moto.Dispose();
        _home.Dispose();
    }

    [Fact]
    public void TheServerCertificateIsCheckedAgainstTheConfiguredCaBundle()
    {
        Assert.StartsWith("https://", _moto.Endpoint);
        var bucket = S3Home.Bucket("tls");

        // Not trusted by the system: refused, and nothing recorded.
        S3Home.Configure(_home, _moto.Endpoint, bucket, "backup_s3_retry_max_attempts: 1");
        using (var untrusted = S3Home.Open(_home))
        {
            var v = S3Home.Volume(untrusted, _home, "tls");
            var e = Assert.Throws<CinderBackupException>(() => untrusted.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
            Assert.Equal(ErrorIds.RepositoryUnavailable, e.ErrorId);
            Assert.Contains("SSL", e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Empty(untrusted.Backups.List());
        }

        // With the CA bundle: a full cycle over TLS.
        S3Home.Configure(_home, _moto.Endpoint, bucket, $"backup_s3_ca_cert_file: {_caFile}");
        using (var trusted = S3Home.Open(_home))
        {
            var b = trusted.Backups.Create(new BackupCreateOptions { Volume = "tls" });
            Assert.Equal("available", b.Status);
            Assert.True(trusted.Backups.Verify(b.Id, deep: true).IsValid);
        }

        // Checks off: accepted too.
        S3Home.Configure(_home, _moto.Endpoint, bucket, "backup_s3_verify_ssl: false");
        using var unchecked_ = S3Home.Open(_home);
        Assert.True(new RepositoryApi(unchecked_.Config).Get("default").Reachable);

        // A bundle that is not PEM is a configuration error naming the file.
        var bad = _home.File_("bad.pem");
        File.WriteAllText(bad, "not a certificate");
        S3Home.Configure(_home, _moto.Endpoint, bucket, $"backup_s3_ca_cert_file: {bad}");
        using var broken = S3Home.Open(_home);
        var problem = new RepositoryApi(broken.Config).Get("default");
        Assert.False(problem.Reachable);
        Assert.Contains($"the CA bundle '{bad}'", problem.Problem);
    }
}
