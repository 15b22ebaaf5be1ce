namespace CinderBackup.Engine.Errors;

/// <summary>Stable error ids. They are part of the public contract: never rename one.</summary>
public static class ErrorIds
{
    public const string ConfigInvalid = "ConfigInvalid";
    public const string ConfigNotFound = "ConfigNotFound";
    public const string CatalogCorrupt = "CatalogCorrupt";
    public const string CatalogReadOnly = "CatalogReadOnly";
    public const string CatalogLocked = "CatalogLocked";
    public const string CatalogUnavailable = "CatalogUnavailable";
    public const string CatalogTooNew = "CatalogTooNew";
    public const string InvalidName = "InvalidName";
    public const string InvalidSize = "InvalidSize";
    public const string InvalidPath = "InvalidPath";
    public const string InvalidArgument = "InvalidArgument";
    public const string VolumeNotFound = "VolumeNotFound";
    public const string VolumeAmbiguous = "VolumeAmbiguous";
    public const string VolumeInvalidState = "VolumeInvalidState";
    public const string VolumeInUse = "VolumeInUse";
    public const string VolumeHasSnapshots = "VolumeHasSnapshots";
    public const string VolumeIOError = "VolumeIOError";
    public const string SnapshotNotFound = "SnapshotNotFound";
    public const string SnapshotAmbiguous = "SnapshotAmbiguous";
    public const string SnapshotInvalidState = "SnapshotInvalidState";
    public const string PolicyNotAuthorized = "PolicyNotAuthorized";
    public const string UnsupportedCompression = "UnsupportedCompression";
    public const string InvalidContainer = "InvalidContainer";
    public const string RepositoryError = "RepositoryError";
    public const string RepositoryNotFound = "RepositoryNotFound";
    public const string RepositoryUnavailable = "RepositoryUnavailable";
    public const string RepositoryAccessDenied = "RepositoryAccessDenied";
    public const string ContainerNotFound = "ContainerNotFound";
    public const string ConfigInsecure = "ConfigInsecure";
    public const string BackupObjectMissing = "BackupObjectMissing";
    public const string BackupCorrupt = "BackupCorrupt";
    public const string BackupNotFound = "BackupNotFound";
    public const string BackupAmbiguous = "BackupAmbiguous";
    public const string BackupInvalidState = "BackupInvalidState";
    public const string InvalidBackup = "InvalidBackup";
    public const string BackupChainBroken = "BackupChainBroken";
    public const string BackupFailed = "BackupFailed";
    public const string RestoreFailed = "RestoreFailed";
    public const string VolumeTooSmall = "VolumeTooSmall";
    public const string RecordInvalid = "RecordInvalid";
    public const string RecordFileInvalid = "RecordFileInvalid";
    public const string FileExists = "FileExists";
    public const string BackupExists = "BackupExists";
    public const string BackupCancelled = "BackupCancelled";
    public const string BackupHasDependents = "BackupHasDependents";
    public const string RestoreCancelled = "RestoreCancelled";
    public const string VolumeBackupSizeExceedsAvailableQuota = "VolumeBackupSizeExceedsAvailableQuota";
    public const string BackupLimitExceeded = "BackupLimitExceeded";
    public const string QuotaInvalid = "QuotaInvalid";
    public const string BackupStatusInvalid = "BackupStatusInvalid";
    public const string WaitTimeout = "WaitTimeout";
    public const string CatalogBackupInvalid = "CatalogBackupInvalid";
    public const string CatalogBusy = "CatalogBusy";
}
