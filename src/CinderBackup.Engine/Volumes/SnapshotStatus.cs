namespace CinderBackup.Engine.Volumes;

/// <summary>Snapshot statuses, spelled as Cinder spells them.</summary>
public static class SnapshotStatus
{
    public const string Creating = "creating";
    public const string Available = "available";
    public const string Deleting = "deleting";
    public const string Error = "error";
    public const string ErrorDeleting = "error_deleting";
    public const string BackingUp = "backing-up";
}
