using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.ObjectStores.Swift;

/// <summary>
/// Everything a Swift repository needs, checked as Cinder's SwiftBackupDriver checks it, with its credentials resolved.
/// single_user: backup_swift_user and backup_swift_key against backup_swift_auth_url (tempauth v1, or Keystone v3
/// password). per_user (Cinder's default): the caller's token (--os-token, else
/// OS_AUTH_TOKEN) on backup_swift_url followed by the caller's project. The secrets never leave this object except toward
/// the servers; <see cref="Redact"/> scrubs them from any text.
/// </summary>
internal sealed class SwiftSettings
{
    public required string Repository { get; init; }

    /// <summary>per_user or single_user.</summary>
    public required string AuthMode { get; init; }

    /// <summary>1 or 3 (single_user).</summary>
    public string AuthVersion { get; init; } = "1";

    public string? AuthUrl { get; init; }

    /// <summary>The storage URL of per_user auth (backup_swift_url + the caller's project).</summary>
    public string? StorageUrl { get; init; }

    public string? User { get; init; }
    public string? Key { get; init; }
    public string? Project { get; init; }
    public string UserDomain { get; init; } = "Default";
    public string ProjectDomain { get; init; } = "Default";

    /// <summary>The caller's token (per_user).</summary>
    public string? Token { get; init; }

    /// <summary>Where the token came from, for messages: "session", "command line", "environment".</summary>
    public string? TokenSource { get; init; }

    public required string Container { get; init; }
    public string? StoragePolicy { get; init; }
    public int RetryAttempts { get; init; } = 3;
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromSeconds(2);
    public string? CaCertFile { get; init; }
    public bool Insecure { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    public int MaxConnections { get; init; } = 8;
    public bool CreateContainers { get; init; } = true;
    public required string TempDirectory { get; init; }

    public bool SingleUser => AuthMode == "single_user";

    /// <summary>Where the repository is, for messages (never with credentials): the storage URL, else the auth URL.</summary>
    public string Location => StorageUrl ?? AuthUrl ?? "";

    public static SwiftSettings From(RepositoryDefinition r)
    {
        string? storage = null, token = null, source = null;
        if (r.SwiftAuth == "single_user")
        {
            if (r.SwiftUser is null)
            {
                // Cinder: ParameterNotFound(param='backup_swift_user').
                throw new CinderBackupException(ErrorIds.ConfigInvalid, ErrorKind.Configuration,
                    $"Repository '{r.Name}' (swift): Could not find parameter backup_swift_user (backup_swift_auth is single_user).", r.Name);
            }
            if (r.SwiftAuthUrl is null)
            {
                throw new CinderBackupException(ErrorIds.ConfigInvalid, ErrorKind.Configuration,
                    $"Repository '{r.Name}' (swift): Could not determine which Keystone endpoint to use. This can either be set in the service catalog or with the cinder.conf config option 'backup_swift_auth_url'.", r.Name);
            }
            if (r.SwiftKey is null)
            {
                throw new CinderBackupException(ErrorIds.RepositoryAccessDenied, ErrorKind.Configuration,
                    $"Repository '{r.Name}' (swift): single_user auth needs backup_swift_key beside backup_swift_user (the configuration file must then be mode 0600).", r.Name);
            }
            if (r.SwiftAuthVersion == "3" && (r.SwiftProject ?? r.SwiftTenant) is null)
            {
                throw new CinderBackupException(ErrorIds.ConfigInvalid, ErrorKind.Configuration,
                    $"Repository '{r.Name}' (swift): Keystone v3 auth (backup_swift_auth_version: 3) needs backup_swift_project.", r.Name);
            }
        }
        else
        {
            if (r.SwiftUrl is null)
            {
                throw new CinderBackupException(ErrorIds.ConfigInvalid, ErrorKind.Configuration,
                    $"Repository '{r.Name}' (swift): Could not determine which Swift endpoint to use. This can either be set in the service catalog or with the cinder.conf config option 'backup_swift_url'.", r.Name);
            }
            storage = r.SwiftUrl + r.CallerProject;
            if (r.SessionOsToken is { Length: > 0 } t)
            {
                (token, source) = (t, "session or command line");
            }
            else if (r.Environment("OS_AUTH_TOKEN") is { Length: > 0 } e)
            {
                (token, source) = (e, "environment (OS_AUTH_TOKEN)");
            }
            else
            {
                throw new CinderBackupException(ErrorIds.RepositoryAccessDenied, ErrorKind.Configuration,
                    $"Repository '{r.Name}' (swift): backup_swift_auth is per_user, which needs the caller's token: give it with --os-token, "
                    + "or OS_AUTH_TOKEN (in PowerShell, Set-BackupContext -OsToken or $env:OS_AUTH_TOKEN), or configure single_user auth (backup_swift_user, backup_swift_key, backup_swift_auth_url).", r.Name);
            }
        }
        return new SwiftSettings
        {
            Repository = r.Name,
            AuthMode = r.SwiftAuth,
            AuthVersion = r.SwiftAuthVersion,
            AuthUrl = r.SwiftAuthUrl,
            StorageUrl = storage,
            User = r.SwiftUser,
            Key = r.SwiftKey,
            Project = r.SwiftProject ?? r.SwiftTenant,
            UserDomain = r.SwiftUserDomain ?? "Default",
            ProjectDomain = r.SwiftProjectDomain ?? "Default",
            Token = token,
            TokenSource = source,
            Container = r.SwiftContainer,
            StoragePolicy = r.SwiftStoragePolicy,
            RetryAttempts = r.SwiftRetryAttempts,
            RetryBackoff = TimeSpan.FromSeconds(r.SwiftRetryBackoffSeconds),
            CaCertFile = r.SwiftCaCertFile,
            Insecure = r.SwiftAuthInsecure,
            Timeout = TimeSpan.FromSeconds(r.SwiftTimeoutSeconds),
            CreateContainers = r.CreateContainers,
            TempDirectory = r.TempDirectory,
        };
    }

    /// <summary>Replaces every secret (key, tokens) that appears in <paramref name="text"/>.</summary>
    public string Redact(string text, string? issuedToken = null)
    {
        foreach (var secret in new[] { Key, Token, issuedToken })
        {
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 4)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }
        return text;
    }
}
