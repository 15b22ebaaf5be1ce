using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>
/// The S3 credential given with Set-BackupContext -S3Credential, one per runspace, kept in memory only (never written
/// anywhere) and handed to the engine as the session's S3 credentials.
/// </summary>
internal static class SessionCredentialStore
{
    private static readonly ConcurrentDictionary<Guid, PSCredential> Credentials = new();

    private static Guid Key => Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;

    public static PSCredential? Current => Credentials.TryGetValue(Key, out var c) ? c : null;

    public static void Set(PSCredential? credential)
    {
        if (credential is null || credential == PSCredential.Empty || string.IsNullOrEmpty(credential.UserName))
        {
            Credentials.TryRemove(Key, out _);
        }
        else
        {
            Credentials[Key] = credential;
        }
    }

    public static void Reset() => Credentials.TryRemove(Key, out _);
}
