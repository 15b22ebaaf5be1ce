namespace CinderBackup.Engine.Api;

/// <summary>How a front end opens the engine: which config file, which identity, which environment.</summary>
public sealed record EngineOptions
{
    /// <summary>Explicit configuration file (--config / -ConfigPath); null means CINDERBACKUP_CONFIG or the default.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>Identity given for this call or session; each null field falls back to config, environment, default.</summary>
    public string? ProjectName { get; init; }

    public string? UserName { get; init; }

    public bool? Admin { get; init; }

    /// <summary>This host's name and zone for this engine (`service run --host`, Start-BackupService -HostName); null: the configuration's.</summary>
    public string? Host { get; init; }

    public string? AvailabilityZone { get; init; }

    /// <summary>Where the identity override came from, for display ("session", "command line").</summary>
    public string OverrideSource { get; init; } = "command line";

    /// <summary>
    /// Receives detail messages about what operations do (parent chosen, container and prefix, restore plan,
    /// clean-up): PowerShell's Write-Verbose, the CLI's --debug. Called from worker threads.
    /// </summary>
    public Action<string>? Detail { get; init; }
    /// <summary>S3 credentials for this session (user name = access key, password = secret key); they win over the file and the environment.</summary>
    public System.Net.NetworkCredential? S3Credential { get; init; }

    /// <summary>The caller's Keystone token (--os-token) for per_user Swift auth; wins over OS_AUTH_TOKEN.</summary>
    public string? OsToken { get; init; }

    /// <summary>Environment lookup; tests pass their own so they never touch the process environment.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}
