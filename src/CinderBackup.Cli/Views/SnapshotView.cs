namespace CinderBackup.Cli.Views;

/// <summary>How `volume snapshot show` and `volume snapshot list` print a snapshot.</summary>
internal static class SnapshotView
{
    public static readonly string[] ListColumns = { "ID", "Name", "Description", "Status", "Size" };

    public static IReadOnlyList<(string, object?)> Show(VolumeSnapshot s) => Formats.Sorted(new (string, object?)[]
    {
        ("created_at", Formats.Time(s.CreatedAtUtc)),
        ("description", s.Description),
        ("id", s.Id),
        ("name", s.Name),
        ("os-extended-snapshot-attributes:progress", s.Progress),
        ("os-extended-snapshot-attributes:project_id", s.ProjectId),
        ("properties", Formats.Properties(new Dictionary<string, string>())),
        ("size", s.Size),
        ("status", s.Status),
        ("updated_at", Formats.Time(s.UpdatedAtUtc)),
        ("volume_id", s.VolumeId),
    });

    public static object?[] Row(VolumeSnapshot s, bool withProject) => withProject
        ? new object?[] { s.Id, s.Name, s.ProjectId, s.Description, s.Status, s.Size }
        : new object?[] { s.Id, s.Name, s.Description, s.Status, s.Size };

    public static string[] Columns(bool withProject) => withProject
        ? new[] { "ID", "Name", "Project", "Description", "Status", "Size" }
        : ListColumns;
}
