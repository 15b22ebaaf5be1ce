using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;

namespace CinderBackup.Commands;

/// <summary>
/// Sets the session's configuration file and identity (project, user, admin). Unset fields fall back to the
/// config file, then OS_PROJECT_NAME / OS_USERNAME, then the OS user in project "default".
/// </summary>
[Cmdlet(VerbsCommon.Set, "BackupContext", SupportsShouldProcess = true)]
[OutputType(typeof(BackupContext))]
public sealed class SetBackupContextCommand : CinderBackupCmdlet
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("Project")]
    [ArgumentCompleter(typeof(ProjectNameCompleter))]
    public string? ProjectName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("User")]
    public string? UserName { get; set; }

    [Parameter]
    public SwitchParameter Admin { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigPath { get; set; }

    [Parameter]
    [Credential]
    [AllowNull]
    public PSCredential? S3Credential { get; set; }

    /// <summary>The caller's Keystone token for per_user Swift repositories (the CLI's --os-token), for this session only.</summary>
    [Parameter]
    [AllowNull]
    public System.Security.SecureString? OsToken { get; set; }

    [Parameter]
    public SwitchParameter Reset { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        var credentialGiven = MyInvocation.BoundParameters.ContainsKey(nameof(S3Credential));
        var tokenGiven = MyInvocation.BoundParameters.ContainsKey(nameof(OsToken));
        if (Reset && (ProjectName is not null || UserName is not null || ConfigPath is not null || credentialGiven || tokenGiven || MyInvocation.BoundParameters.ContainsKey(nameof(Admin))))
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("-Reset cannot be combined with -ProjectName, -UserName, -Admin, -ConfigPath, -S3Credential or -OsToken."),
                CinderBackup.Engine.Errors.ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, null));
        }
        var current = SessionContextStore.Current;
        SessionContext next;
        if (Reset)
        {
            next = SessionContext.Empty;
        }
        else
        {
            var configPath = ConfigPath is null ? current.ConfigPath : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ConfigPath);
            next = new SessionContext(
                configPath,
                ProjectName ?? current.ProjectName,
                UserName ?? current.UserName,
                MyInvocation.BoundParameters.ContainsKey(nameof(Admin)) ? Admin.IsPresent : current.Admin);
        }
        BackupContext resolved;
        try
        {
            // Validate before storing: a bad config file or name leaves the session as it was.
            resolved = BackupEngine.LoadSettings(new EngineOptions
            {
                ConfigPath = next.ConfigPath,
                ProjectName = next.ProjectName,
                UserName = next.UserName,
                Admin = next.Admin,
                OverrideSource = "session",
            }).Context;
        }
        catch (Exception e)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(e, ConfigPath ?? ProjectName ?? UserName));
            return;
        }
        try
        {
            if (!Confirmed($"{resolved} (config: {resolved.ConfigFile ?? "embedded defaults"})", "Set backup context"))
            {
                return;
            }
        }
        catch (CinderBackup.Engine.Errors.CinderBackupException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(e));
            return;
        }
        if (Reset)
        {
            SessionContextStore.Reset();
            SessionCredentialStore.Reset();
            SessionTokenStore.Reset();
        }
        else
        {
            SessionContextStore.Set(next);
            if (credentialGiven)
            {
                SessionCredentialStore.Set(S3Credential); // an empty credential forgets the session's one
            }
            if (tokenGiven)
            {
                SessionTokenStore.Set(OsToken); // an empty token forgets the session's one
            }
        }
        if (PassThru)
        {
            WriteObject(resolved);
        }
    }
}
