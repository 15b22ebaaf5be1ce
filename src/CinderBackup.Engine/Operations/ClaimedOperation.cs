using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Pipeline;

namespace CinderBackup.Engine.Operations;

/// <summary>
/// Runs a prepared create or restore that the caller has just claimed (its owner is this process): the process that
/// prepared it, a --no-wait worker, an -AsJob job, or a backup service that took it from the queue.
/// </summary>
internal static class ClaimedOperation
{
    public static VolumeBackup Create(EngineSession session, BackupRow row, IProgress<TransferProgress>? progress, CancellationToken cancel) =>
        new BackupCreator(session, new Claimed(row.VolumeId, progress, cancel)).Execute(row);

    public static BackupRestoreResult Restore(EngineSession session, BackupRow row, IProgress<TransferProgress>? progress, CancellationToken cancel)
    {
        var volume = session.Catalog.Read(db => VolumeTable.Get(db, row.RestoreVolumeId!))
            ?? throw new CinderBackupException(ErrorIds.VolumeNotFound, ErrorKind.NotFound, $"Volume {row.RestoreVolumeId} could not be found.", row.RestoreVolumeId);
        var isNew = volume.PreviousStatus == Volumes.VolumeStatus.Creating;
        return new BackupRestorer(session).Execute(new BackupRestorer.Prepared(row, volume, isNew), progress, cancel);
    }

    /// <summary>A create already prepared: everything but the volume and how to report and stop is on the row.</summary>
    private sealed record Claimed(string Volume, IProgress<TransferProgress>? Progress, CancellationToken Cancel) : IBackupCreateRequest
    {
        public string? Name => null;
        public string? Description => null;
        public bool Incremental => false;
        public bool Force => false;
        public string? Snapshot => null;
        public string? Container => null;
        public IReadOnlyDictionary<string, string>? Metadata => null;
        public string? Compression => null;
        public string? AvailabilityZone => null;
        public string? Repository => null;
    }
}
