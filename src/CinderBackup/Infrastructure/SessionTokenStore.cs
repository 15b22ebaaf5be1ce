using System.Collections.Concurrent;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Security;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>
/// The Keystone token given with Set-BackupContext -OsToken, one per runspace, kept in memory only (never written
/// anywhere) and handed to the engine as the caller's token for per_user Swift repositories (the CLI's --os-token).
/// </summary>
internal static class SessionTokenStore
{
    private static readonly ConcurrentDictionary<Guid, SecureString> Tokens = new();

    private static Guid Key => Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;

    /// <summary>The session's token as text for the engine, or null.</summary>
    public static string? Current => Tokens.TryGetValue(Key, out var t) ? new NetworkCredential(string.Empty, t).Password : null;

    /// <summary>Keeps a copy of the token; null or empty forgets the session's one.</summary>
    public static void Set(SecureString? token)
    {
        if (token is null || token.Length == 0)
        {
            Tokens.TryRemove(Key, out _);
        }
        else
        {
            var copy = token.Copy();
            copy.MakeReadOnly();
            Tokens[Key] = copy;
        }
    }

    public static void Reset() => Tokens.TryRemove(Key, out _);
}
