using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.ObjectStores;

/// <summary>A CA bundle (PEM) a remote store's certificate must chain to (backup_s3_ca_cert_file, backup_swift_ca_cert_file).</summary>
internal static class CaBundle
{
    /// <summary>Reads the bundle; a clear configuration error naming the option when it cannot be read or holds no certificate.</summary>
    public static X509Certificate2Collection Load(string file, string repository, string driver, string option)
    {
        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPemFile(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new CinderBackupException(ErrorIds.ConfigInvalid, ErrorKind.Configuration,
                $"Repository '{repository}' ({driver}): the CA bundle '{file}' ({option}) cannot be read: {e.Message}", file, e);
        }
        if (bundle.Count == 0)
        {
            throw new CinderBackupException(ErrorIds.ConfigInvalid, ErrorKind.Configuration,
                $"Repository '{repository}' ({driver}): the CA bundle '{file}' ({option}) holds no PEM certificate.", file);
        }
        return bundle;
    }

    /// <summary>
    /// The host name must match; the chain must end in a certificate of the bundle, and only of the bundle (as Cinder's
    /// verify=cafile): a certificate the system store trusts is not enough when a bundle is configured.
    /// </summary>
    public static bool Validate(X509Certificate2Collection bundle, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(bundle);
        chain.ChainPolicy.ExtraStore.AddRange(bundle);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var cert = new X509Certificate2(certificate);
        return chain.Build(cert);
    }
}
