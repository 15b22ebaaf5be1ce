namespace CinderBackup.Engine.Format;

/// <summary>Backup statuses, spelled as Cinder spells them.</summary>
public static class BackupStatus
{
    public const string Creating = "creating";
    public const string Available = "available";
    public const string Deleting = "deleting";
    public const string Deleted = "deleted";
    public const string Error = "error";
    public const string ErrorDeleting = "error_deleting";
    public const string Restoring = "restoring";

    /// <summary>Every status a listed backup can have, for tab completion of -Status.</summary>
    public static IReadOnlyList<string> All { get; } = new[] { Creating, Available, Deleting, Error, ErrorDeleting, Restoring };
}
