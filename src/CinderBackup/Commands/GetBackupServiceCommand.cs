using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

namespace CinderBackup.Commands;

/// <summary>Lists the backup services (hosts running operations) and whether they are up.</summary>
[Cmdlet(VerbsCommon.Get, "BackupService")]
[OutputType(typeof(BackupService))]
public sealed class GetBackupServiceCommand : CinderBackupCmdlet
{
    /// <summary>Only services on hosts matching this name (wildcards allowed).</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(HostNameCompleter))]
    public string? HostName { get; set; }

    protected override void EndProcessing()
    {
        Try(HostName, () =>
        {
            var pattern = HostName is null ? null : new WildcardPattern(HostName, WildcardOptions.IgnoreCase);
            WriteObject(Engine.Services.List().Where(s => pattern is null || pattern.IsMatch(s.Host)), enumerateCollection: true);
        });
    }
}
