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
            _bundle = CaBundle.Load(file, settings.Repository, "s3", "backup_s3_ca_cert_file");
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
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => CaBundle.Validate(_bundle!, certificate, errors);
        }
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
}
