using System.Text;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Logging;

/// <summary>
/// The tool's cinder-backup.log: one JSON object per line in the data directory, with Cinder's event names
/// (backup.create.start, backup.createprogress, backup.create.end, backup.delete.*, backup.restore.*,
/// backup.reset_status.*) and the notification payload fields. Appends are single writes, so several
/// processes can share the file.
/// </summary>
internal static class EventLog
{
    private static readonly object Gate = new();

    public static void Write(EngineConfig config, string eventType, BackupRow backup, string? detail = null,
        IEnumerable<KeyValuePair<string, object?>>? extra = null)
    {
        var fields = new List<KeyValuePair<string, object?>>
        {
            new("timestamp", Clock.ToStorage(Clock.UtcNow) + "Z"),
            new("event_type", eventType),
            new("publisher_id", "backup." + config.Host),
            new("pid", Environment.ProcessId),
            new("tenant_id", backup.ProjectId),
            new("user_id", backup.UserId),
            new("availability_zone", backup.AvailabilityZone),
            new("backup_id", backup.Id),
            new("host", backup.Host),
            new("display_name", backup.DisplayName),
            new("created_at", Clock.ToStorage(backup.CreatedAt)),
            new("status", backup.Status),
            new("volume_id", backup.VolumeId),
            new("size", backup.Size),
            new("service_metadata", backup.ServiceMetadata),
            new("service", backup.Service),
            new("fail_reason", backup.FailReason),
            new("parent_id", backup.ParentId),
            new("num_dependent_backups", backup.NumDependentBackups),
            new("snapshot_id", backup.SnapshotId),
        };
        if (detail is not null)
        {
            fields.Add(new("detail", detail));
        }
        if (extra is not null)
        {
            fields.AddRange(extra);
        }
        Append(config.LogPath, PyJson.Dumps(fields) + "\n");
    }

    private static void Append(string path, string line)
    {
        try
        {
            lock (Gate)
            {
                var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }
                using var fs = new FileStream(path, options);
                fs.Write(Encoding.UTF8.GetBytes(line));
            }
        }
        catch (IOException)
        {
            // The log never fails an operation.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
