using System.Management.Automation.Runspaces;
using CinderBackup.Engine.Api;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>
/// The engine options of the current runspace's session: its config file, identity, S3 credential and Keystone token. Must be
/// called on a thread that has the runspace (the pipeline thread); elsewhere there is no session to read, and
/// running as the default identity instead would be a silent privilege change.
/// </summary>
internal static class SessionOptions
{
    public static EngineOptions Current(Action<string>? detail = null, string? projectName = null, string? userName = null)
    {
        if (Runspace.DefaultRunspace is null)
        {
            throw new InvalidOperationException("The session's backup context can only be read on the pipeline thread; capture it there before starting work elsewhere.");
        }
        var session = SessionContextStore.Current;
        var overridden = projectName is not null || userName is not null;
        return new EngineOptions
        {
            ConfigPath = session.ConfigPath,
            ProjectName = projectName ?? session.ProjectName,
            UserName = userName ?? session.UserName,
            Admin = session.Admin,
            OverrideSource = overridden ? "parameter" : "session",
            Detail = detail,
            S3Credential = SessionCredentialStore.Current?.GetNetworkCredential(),
            OsToken = SessionTokenStore.Current,
        };
    }
}
