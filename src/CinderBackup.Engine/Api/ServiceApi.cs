using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Operations;
using CinderBackup.Engine.Rules;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Api;

/// <summary>Backup services: which hosts run operations, whether they are up, and running this process as one.</summary>
public sealed class ServiceApi
{
    private readonly BackupEngine _engine;

    internal ServiceApi(BackupEngine engine) => _engine = engine;

    public IReadOnlyList<BackupService> List() =>
        _engine.Catalog.Read(db => ServiceRegistry.List(db, _engine.Config.ServiceDownTimeSeconds));

    /// <summary>
    /// Enables or disables the backup service of <paramref name="host"/> (admin only, as Cinder's
    /// <c>openstack volume service set --enable|--disable HOST cinder-backup</c>): a disabled service keeps running and
    /// cleaning up after dead peers but takes no queued work, and no work is queued for it.
    /// </summary>
    public BackupService Set(string host, string binary, bool disabled, string? reason = null)
    {
        Policy.RequireAdmin(_engine.Context, "volume_extension:services:update");
        InputRules.ValidateText(host, "host");
        InputRules.ValidateText(binary, "binary");
        InputRules.ValidateText(reason, "disabled reason");
        if (reason is not null && !disabled)
        {
            throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                "Cannot specify option --disable-reason without --disable specified.", reason);
        }
        return _engine.Catalog.Write(db => ServiceTable.SetDisabled(db, host, binary, disabled, reason)
            ? ServiceRegistry.List(db, _engine.Config.ServiceDownTimeSeconds).First(s => s.Host == host && s.Binary == binary)
            : throw new CinderBackupException(ErrorIds.ServiceNotFound, ErrorKind.NotFound,
                $"Service {PrintableText.Brief(binary)} could not be found on host {PrintableText.Brief(host)}.", host));
    }

    /// <summary>
    /// Runs this process as a backup service of its host and zone (the configuration's host and
    /// storage_availability_zone, or those the engine was opened with) until <paramref name="stop"/>: it reports every
    /// report_interval, runs the operations queued for its zone whose volume it can reach, and cleans up after hosts
    /// that are down. <paramref name="log"/> receives one line per event (start, operation taken, done, failed, clean-up).
    /// </summary>
    public void Run(Action<string> log, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(log);
        new ServiceRunner(_engine.Session, log).Run(stop);
    }
}
