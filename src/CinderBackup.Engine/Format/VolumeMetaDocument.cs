using System.Globalization;
using System.Text.Json;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Format;

/// <summary>
/// The <c>volume_meta</c> string of a backup's _metadata (cinder-reference.md §1.6): version 2 of Cinder's
/// BackupMetadataAPI, serialised as oslo's jsonutils.dumps does (unsorted, <c>", "</c> and <c>": "</c>).
/// </summary>
internal static class VolumeMetaDocument
{
    public const int Version = 2;

    /// <summary>What a restore applies to the target volume.</summary>
    public sealed record Restorable(string? DisplayName, string? DisplayDescription, bool HasBase,
        IReadOnlyDictionary<string, string>? UserMetadata, IReadOnlyDictionary<string, string>? GlanceMetadata);

    public static string Build(BlockVolume v, string status)
    {
        var baseMeta = new List<KeyValuePair<string, object?>>
        {
            new("created_at", Time(v.CreatedAtUtc)),
            new("updated_at", Time(v.UpdatedAtUtc)),
            new("deleted_at", null),
            new("deleted", false),
            new("id", v.Id),
            new("_name_id", null),
            new("use_quota", true),
            new("ec2_id", null),
            new("user_id", v.UserId),
            new("project_id", v.ProjectId),
            new("snapshot_id", null),
            new("cluster_name", null),
            new("host", null),
            new("size", v.Size),
            new("availability_zone", v.AvailabilityZone),
            new("status", status),
            new("attach_status", v.Attachments.Count > 0 ? "attached" : "detached"),
            new("migration_status", null),
            new("scheduled_at", null),
            new("launched_at", Time(v.CreatedAtUtc)),
            new("terminated_at", null),
            new("display_name", v.Name),
            new("display_description", v.Description),
            new("provider_location", null),
            new("provider_auth", null),
            new("provider_geometry", null),
            new("provider_id", null),
            new("volume_type_id", null),
            new("source_volid", null),
            new("encryption_key_id", null),
            new("consistencygroup_id", null),
            new("group_id", null),
            new("bootable", v.Bootable),
            new("multiattach", false),
            new("replication_status", null),
            new("replication_extended_status", null),
            new("replication_driver_data", null),
            new("previous_status", v.PreviousStatus),
            new("service_uuid", null),
            new("shared_targets", true),
        };
        var doc = new List<KeyValuePair<string, object?>>
        {
            new("version", Version),
            new("volume-base-metadata", baseMeta),
        };
        if (v.Metadata.Count > 0)
        {
            doc.Add(new("volume-metadata", v.Metadata.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)).ToList()));
        }
        return PyJson.Dumps(doc);
    }

    /// <summary>Parses a volume_meta string; versions other than 1 and 2 fail as Cinder's restore does.</summary>
    public static Restorable Parse(string json, string backupId)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                $"Backup {backupId}: its volume_meta is not valid JSON ({e.Message}).", backupId, e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("version", out var version) ||
                version.ValueKind != JsonValueKind.Number || version.GetInt32() is not (1 or 2))
            {
                throw new CinderBackupException(ErrorIds.RestoreFailed, ErrorKind.InvalidData,
                    "Metadata restore failed due to incompatible version.", backupId);
            }
            string? name = null, description = null;
            var hasBase = false;
            if (root.TryGetProperty("volume-base-metadata", out var b) && b.ValueKind == JsonValueKind.Object)
            {
                hasBase = true;
                name = StringOrNull(b, "display_name");
                description = StringOrNull(b, "display_description");
            }
            return new Restorable(name, description, hasBase, Dict(root, "volume-metadata"), Dict(root, "volume-glance-metadata"));
        }
    }

    /// <summary>The volume's size in GiB from the base metadata (discovery rebuilds a record's size from it); null when absent.</summary>
    public static int? BaseSize(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object &&
                   doc.RootElement.TryGetProperty("volume-base-metadata", out var b) && b.ValueKind == JsonValueKind.Object &&
                   b.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Number && size.TryGetInt32(out var n) && n >= 0
                ? n
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? StringOrNull(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static Dictionary<string, string>? Dict(JsonElement root, string key)
    {
        if (!root.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        return v.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
    }

    /// <summary>oslo's datetime form inside volume_meta: no zone, microseconds.</summary>
    private static string? Time(DateTime? t) => t?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
}
