namespace CinderBackup.Commands.Infrastructure;

/// <summary>What Set-BackupContext stores for a PowerShell session: config file and identity overrides.</summary>
internal sealed record SessionContext(string? ConfigPath, string? ProjectName, string? UserName, bool? Admin)
{
    public static readonly SessionContext Empty = new(null, null, null, null);
}
