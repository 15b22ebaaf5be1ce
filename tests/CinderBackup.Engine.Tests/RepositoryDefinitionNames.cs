namespace CinderBackup.Engine.Tests;

/// <summary>Cinder's driver class paths, as backups record them.</summary>
internal static class RepositoryDefinitionNames
{
    public const string Posix = "cinder.backup.drivers.posix.PosixBackupDriver";
    public const string Nfs = "cinder.backup.drivers.nfs.NFSBackupDriver";
    public const string S3 = "cinder.backup.drivers.s3.S3BackupDriver";
    public const string Swift = "cinder.backup.drivers.swift.SwiftBackupDriver";
}
