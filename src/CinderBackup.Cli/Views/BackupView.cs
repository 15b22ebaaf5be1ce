using System.Globalization;
using CinderBackup.Cli.Output;

namespace CinderBackup.Cli.Views;

/// <summary>How `volume backup show` and `volume backup list` print a backup (seed 002's tables).</summary>
internal static class BackupView
{
    public static IReadOnlyList<(string, object?)> Show(VolumeBackup b)
    {
        var fields = new List<(string, object?)>
        {
            ("availability_zone", b.AvailabilityZone),
            ("container", b.Container),
            ("created_at", Formats.Time(b.CreatedAtUtc)),
            ("data_timestamp", Formats.Time(b.DataTimestampUtc)),
            ("description", b.Description),
            ("fail_reason", b.FailReason),
            ("has_dependent_backups", b.HasDependentBackups),
            ("id", b.Id),
            ("is_incremental", b.IsIncremental),
            ("name", b.Name),
            ("object_count", b.ObjectCount ?? 0),
            ("repository", b.Repository), // ours: the configured repository, and where it was when the backup was written
            ("repository_location", b.RepositoryLocation),
            ("size", b.Size),
            ("snapshot_id", b.SnapshotId),
            ("status", b.Status),
            ("updated_at", Formats.Time(b.UpdatedAtUtc)),
            ("volume_id", b.VolumeId),
        };
        if (b.BytesRead is long read)
        {
            // ours: the summary of a finished backup (null for backups from before, imported, or not finished)
            fields.Add(("bytes_read", read));
            fields.Add(("bytes_changed", b.BytesChanged));
            fields.Add(("bytes_stored", b.BytesStored));
            fields.Add(("duration", b.Duration is { } d ? Math.Round(d.TotalSeconds, 3) : null));
            fields.Add(("rate", b.Rate));
        }
        if (b.ProgressPercent is double percent)
        {
            fields.Add(("progress", Progress(b, percent)));
        }
        return Formats.Sorted(fields);
    }

    /// <summary>The stderr line after a backup that ran here, as restic prints one; null when it ran elsewhere (--no-wait).</summary>
    public static string? Summary(VolumeBackup b) => b.BytesRead is long read && b.Duration is { } d
        ? string.Create(CultureInfo.InvariantCulture,
            $"Backup {b.Id}: {Amount(read)} read, {Amount(b.BytesChanged ?? 0)} changed, {Amount(b.BytesStored ?? 0)} stored (after compression), {b.ObjectCount ?? 0} objects written, in {d.TotalSeconds:0.000} s ({(b.Rate ?? 0) / (1 << 20):0.0} MiB/s).")
        : null;

    /// <summary>The stderr line after a restore that ran here; null when it ran elsewhere (--no-wait).</summary>
    public static string? Summary(BackupRestoreResult r) => r.Duration is { } d
        ? string.Create(CultureInfo.InvariantCulture,
            $"Restore of {r.BackupId} to volume {r.VolumeId}: {Amount(r.BytesRestored)} restored, {Amount(r.BytesWritten)} written, {r.ObjectsRead} objects read, {r.ObjectsSkipped} skipped, in {d.TotalSeconds:0.000} s ({(r.Rate ?? 0) / (1 << 20):0.0} MiB/s).")
        : null;

    /// <summary>"10485760 bytes (10.0 MiB)": exact for scripts, readable for people.</summary>
    private static string Amount(long n) => string.Create(CultureInfo.InvariantCulture, $"{n} bytes ({Bytes(n)})");

    /// <summary>"42.0% (1.2 GiB of 2.9 GiB, 310 MB/s)" while an operation runs.</summary>
    public static string Progress(VolumeBackup b, double percent) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{percent:0.0}% ({Bytes(b.ProgressBytes ?? 0)} of {Bytes(b.ProgressTotalBytes ?? 0)}, {(b.ProgressRate ?? 0) / 1e6:0.#} MB/s)");

    /// <summary>"42.0%" in a table, 42.0 in json and yaml; empty when no operation runs.</summary>
    private static Cell? ProgressCell(VolumeBackup b) => b.ProgressPercent is double p
        ? new Cell(string.Create(CultureInfo.InvariantCulture, $"{p:0.0}%"), p)
        : null;

    private static string Bytes(long n) => n >= 1L << 30
        ? string.Create(CultureInfo.InvariantCulture, $"{n / (double)(1L << 30):0.0} GiB")
        : string.Create(CultureInfo.InvariantCulture, $"{n / (double)(1L << 20):0.0} MiB");

    public static string[] Columns(bool longFormat, bool withProject)
    {
        var cols = new List<string> { "ID", "Name", "Description", "Status", "Size" };
        if (longFormat)
        {
            cols.AddRange(new[] { "Availability Zone", "Volume", "Container", "Progress" });
        }
        if (withProject)
        {
            cols.Add("Project");
            cols.Add("User");
        }
        return cols.ToArray();
    }

    public static object?[] Row(VolumeBackup b, bool longFormat, bool withProject)
    {
        // Status stays Cinder's word (scripts match `creating`); how far a running operation is goes in its own column.
        var row = new List<object?> { b.Id, b.Name, b.Description, b.Status, b.Size };
        if (longFormat)
        {
            row.AddRange(new object?[] { b.AvailabilityZone, b.VolumeId, b.Container, ProgressCell(b) });
        }
        if (withProject)
        {
            row.Add(b.ProjectId);
            row.Add(b.UserId);
        }
        return row.ToArray();
    }
}
