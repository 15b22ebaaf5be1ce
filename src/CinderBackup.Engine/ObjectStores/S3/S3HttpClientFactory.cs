using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Amazon.Runtime;

namespace CinderBackup.Engine.ObjectStores.S3;

/// <summary>
/// The HTTP client of an S3 repository: connect timeout, connection limit, no proxy, and TLS checked against the
/// system trust store, or against backup_s3_ca_cert_file, or not at all (backup_s3_verify_ssl: false).
/// </summary>
internal sealed class S3HttpClientFactory : HttpClientFactory
{
    private readonly S3Settings _settings;
    private readonly X509Certificate2Collection? _bundle;

    public S3HttpClientFactory(S3Settings settings)
    {
        _settings = settings;
        if (settings.VerifySsl && settings.CaCertFile is { } file)
        {
            try
            {
                _bundle = new X509Certificate2Collection();
                _bundle.ImportFromPemFile(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new Errors.CinderBackupException(Errors.ErrorIds.ConfigInvalid, Errors.ErrorKind.Configuration,
                    $"Repository '{settings.Repository}' (s3): the CA bundle '{file}' (backup_s3_ca_cert_file) cannot be read: {e.Message}", file, e);
            }
            if (_bundle.Count == 0)
            {
                throw new Errors.CinderBackupException(Errors.ErrorIds.ConfigInvalid, Errors.ErrorKind.Configuration,
                    $"Repository '{settings.Repository}' (s3): the CA bundle '{file}' (backup_s3_ca_cert_file) holds no PEM certificate.", file);
            }
        }
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = _settings.Timeout,
            MaxConnectionsPerServer = _settings.MaxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(50),
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        if (!_settings.VerifySsl)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (_bundle is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors);
        }
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The host name must match; the chain must end in a certificate of the bundle.</summary>
    private bool Validate(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_bundle!);
        chain.ChainPolicy.ExtraStore.AddRange(_bundle!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var cert = new X509Certificate2(certificate);
        return chain.Build(cert);
    }

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
}
