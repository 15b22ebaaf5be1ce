using CinderBackup.Cli.Output;

namespace CinderBackup.Cli.Views;

/// <summary>How `volume show` and `volume list` print a volume.</summary>
internal static class VolumeView
{
    public static readonly string[] ListColumns = { "ID", "Name", "Status", "Size", "Attached to" };
    public static readonly string[] LongColumns = { "ID", "Name", "Status", "Size", "Type", "Bootable", "Attached to", "Properties" };

    public static IReadOnlyList<(string, object?)> Show(BlockVolume v) => Formats.Sorted(new (string, object?)[]
    {
        ("attachments", Attachments(v)),
        ("availability_zone", v.AvailabilityZone),
        ("backend", v.Backend),
        ("bootable", v.Bootable ? "true" : "false"),
        ("created_at", Formats.Time(v.CreatedAtUtc)),
        ("description", v.Description),
        ("encrypted", false),
        ("id", v.Id),
        ("multiattach", false),
        ("name", v.Name),
        ("os-vol-tenant-attr:tenant_id", v.ProjectId),
        ("path", v.Path),
        ("properties", Formats.Properties(v.Metadata)),
        ("size", v.Size),
        ("snapshot_id", null),
        ("source_volid", null),
        ("status", v.Status),
        ("type", v.VolumeType),
        ("updated_at", Formats.Time(v.UpdatedAtUtc)),
        ("user_id", v.UserId),
    });

    public static object?[] Row(BlockVolume v, bool longFormat, bool withProject)
    {
        var row = longFormat
            ? new List<object?> { v.Id, v.Name, v.Status, v.Size, v.VolumeType, v.Bootable ? "true" : "false", AttachedTo(v), Formats.Properties(v.Metadata) }
            : new List<object?> { v.Id, v.Name, v.Status, v.Size, AttachedTo(v) };
        if (withProject)
        {
            row.Insert(2, v.ProjectId);
        }
        return row.ToArray();
    }

    public static string[] Columns(bool longFormat, bool withProject)
    {
        var cols = (longFormat ? LongColumns : ListColumns).ToList();
        if (withProject)
        {
            cols.Insert(2, "Project");
        }
        return cols.ToArray();
    }

    /// <summary>One line per attachment, laid out by us (a cell, so its line breaks stay).</summary>
    private static Cell AttachedTo(BlockVolume v) => new(v.AttachedTo, v.AttachedTo);

    private static Cell Attachments(BlockVolume v)
    {
        var machine = v.Attachments.Select(a => (object?)new List<KeyValuePair<string, object?>>
        {
            new("id", a.Id),
            new("attachment_id", a.Id),
            new("volume_id", a.VolumeId),
            new("server_id", a.InstanceId),
            new("device", a.Device),
            new("attached_at", Formats.Time(a.AttachedAtUtc)),
        }).ToList();
        var human = v.Attachments.Count == 0
            ? "[]"
            : string.Join("\n", v.Attachments.Select(a => $"Attached to {a.InstanceId} on {a.Device}"));
        return new Cell(human, machine);
    }
}
