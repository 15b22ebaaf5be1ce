namespace CinderBackup.Engine.Volumes;

/// <summary>Volume statuses, spelled as Cinder spells them.</summary>
public static class VolumeStatus
{
    public const string Creating = "creating";
    public const string Available = "available";
    public const string Reserved = "reserved";
    public const string Attaching = "attaching";
    public const string Detaching = "detaching";
    public const string InUse = "in-use";
    public const string Deleting = "deleting";
    public const string Error = "error";
    public const string ErrorDeleting = "error_deleting";
    public const string BackingUp = "backing-up";
    public const string ErrorBackingUp = "error_backing-up";
    public const string RestoringBackup = "restoring-backup";
    public const string ErrorRestoring = "error_restoring";
    public const string Extending = "extending";
    public const string ErrorExtending = "error_extending";
    public const string Maintenance = "maintenance";

    /// <summary>
    /// Every status Cinder's API accepts in a reset (<c>cinder.objects.fields.VolumeStatus.ALL</c>), in Cinder's order,
    /// which its "invalid status" message lists; also the values tab completion offers for -Status.
    /// </summary>
    public static readonly IReadOnlyList<string> All = new[]
    {
        Creating, Available, Deleting, Error, ErrorDeleting, "error_managing", "managing", Attaching, InUse, Detaching, Maintenance,
        RestoringBackup, ErrorRestoring, Reserved, "awaiting-transfer", BackingUp, ErrorBackingUp, ErrorExtending, "downloading",
        "uploading", "retyping", Extending,
    };
}
