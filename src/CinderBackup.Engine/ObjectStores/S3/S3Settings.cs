using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.ObjectStores.S3;

/// <summary>
/// Everything an S3 repository needs, with its credentials resolved: Set-BackupContext -S3Credential first, then
/// the configuration file's backup_s3_store_access_key / backup_s3_store_secret_key, then AWS_ACCESS_KEY_ID /
/// AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) from the environment. The secrets never leave this object except
/// toward the server; <see cref="Redact"/> scrubs them from any text.
/// </summary>
internal sealed class S3Settings
{
    public required string Repository { get; init; }
    public string? EndpointUrl { get; init; }
    public required string Region { get; init; }
    public required string Bucket { get; init; }
    public required string AccessKey { get; init; }
    public required string SecretKey { get; init; }
    public string? SessionToken { get; init; }

    /// <summary>Where the credentials came from, for messages: "session", "configuration file", "environment".</summary>
    public required string CredentialSource { get; init; }

    public bool Md5Validation { get; init; } = true;
    public string? SseCustomerKey { get; init; }
    public string? SseCustomerAlgorithm { get; init; }
    public bool ForcePathStyle { get; init; } = true;
    public bool VerifySsl { get; init; } = true;
    public string? CaCertFile { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    public int MaxAttempts { get; init; } = 4;
    public int MaxConnections { get; init; } = 10;
    public bool CreateBuckets { get; init; } = true;
    public required string TempDirectory { get; init; }

    /// <summary>The server's address for messages and listings (never with credentials).</summary>
    public string Endpoint => EndpointUrl ?? $"https://s3.{Region}.amazonaws.com";

    public bool UsesTls => Endpoint.StartsWith("https:", StringComparison.OrdinalIgnoreCase);

    public static S3Settings From(RepositoryDefinition r)
    {
        string access, secret, source;
        string? token = null;
        var env = r.Environment;
        if (r.SessionS3Credential is { } c && !string.IsNullOrEmpty(c.UserName))
        {
            (access, secret, source) = (c.UserName, c.Password, "session");
        }
        else if (r.S3AccessKey is { } a && r.S3SecretKey is { } s)
        {
            (access, secret, source) = (a, s, "configuration file");
        }
        else if (env("AWS_ACCESS_KEY_ID") is { Length: > 0 } ea && env("AWS_SECRET_ACCESS_KEY") is { Length: > 0 } es)
        {
            (access, secret, source) = (ea, es, "environment");
            token = env("AWS_SESSION_TOKEN") is { Length: > 0 } t ? t : null;
        }
        else
        {
            throw new CinderBackupException(ErrorIds.RepositoryAccessDenied, ErrorKind.Configuration,
                $"Repository '{r.Name}' (s3): no S3 credentials. Set backup_s3_store_access_key and backup_s3_store_secret_key " +
                "in the configuration file (which must then be mode 0600), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the " +
                "environment, or give them to the PowerShell session with Set-BackupContext -S3Credential.", r.Name);
        }
        return new S3Settings
        {
            Repository = r.Name,
            EndpointUrl = r.S3EndpointUrl,
            Region = r.S3Region,
            Bucket = r.S3Bucket,
            AccessKey = access,
            SecretKey = secret,
            SessionToken = token,
            CredentialSource = source,
            Md5Validation = r.S3Md5Validation,
            SseCustomerKey = r.S3SseCustomerKey,
            SseCustomerAlgorithm = r.S3SseCustomerAlgorithm,
            ForcePathStyle = r.S3ForcePathStyle,
            VerifySsl = r.S3VerifySsl,
            CaCertFile = r.S3CaCertFile,
            Timeout = TimeSpan.FromSeconds(r.S3TimeoutSeconds),
            MaxAttempts = r.S3RetryMaxAttempts,
            MaxConnections = r.S3MaxPoolConnections,
            CreateBuckets = r.CreateContainers,
            TempDirectory = r.TempDirectory,
        };
    }

    /// <summary>Replaces every secret (keys, token, SSE-C key) that appears in <paramref name="text"/>.</summary>
    public string Redact(string text)
    {
        foreach (var secret in new[] { SecretKey, SessionToken, SseCustomerKey, AccessKey })
        {
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 4)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }
        return text;
    }

    /// <summary>A key identifying a client configuration (the secrets only as a hash), for reusing clients.</summary>
    public string ClientKey()
    {
        var secretHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"{AccessKey}\n{SecretKey}\n{SessionToken}")));
        return string.Join("|", Endpoint, Region, ForcePathStyle, VerifySsl, CaCertFile, Timeout.TotalSeconds, MaxConnections, secretHash);
    }
}
