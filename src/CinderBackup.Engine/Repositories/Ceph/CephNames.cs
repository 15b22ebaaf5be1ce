using System.Text.Json;
using System.Text.RegularExpressions;

namespace CinderBackup.Engine.Repositories.Ceph;

/// <summary>
/// Cinder's CephBackupDriver names (cinder/backup/drivers/ceph.py): backup images, backup snapshots, the volume-meta
/// RADOS object, <c>service_metadata</c>; and the one name of ours, the hash list beside them.
/// </summary>
internal static partial class CephNames
{
    /// <summary>A backup image: <c>volume-&lt;vid&gt;.backup.&lt;bid&gt;</c> (the first backup's id for an RBD source's base).</summary>
    public static string Image(string volumeId, string backupId) => $"volume-{volumeId}.backup.{backupId}";

    /// <summary>The base name old Cinder releases used, which Cinder 21 still looks for when service_metadata is empty.</summary>
    public static string LegacyBase(string volumeId) => $"volume-{volumeId}.backup.base";

    /// <summary>_get_new_snap_name: <c>backup.&lt;bid&gt;.snap.&lt;time.time()&gt;</c>.</summary>
    public static string Snapshot(string backupId, DateTime utc) =>
        $"backup.{backupId}.snap.{((utc - DateTime.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond).ToString("0.0######", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The backup id of a backup snapshot's name (backup_snapshot_name_pattern), or null for any other snapshot.</summary>
    public static string? SnapshotBackupId(string snapshotName) =>
        SnapshotPattern().Match(snapshotName) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>VolumeMetadataBackup.name: the volume-meta JSON of a backup.</summary>
    public static string Meta(string backupId) => $"backup.{backupId}.meta";

    /// <summary>Ours: the backup's per-block SHA-256 list, in the _sha256file format of Cinder's chunked drivers.</summary>
    public static string Hashes(string backupId) => $"backup.{backupId}.sha256file";

    /// <summary>Ours: the repository's identity marker in a pool.</summary>
    public const string Marker = "cinderbackup.repository";

    /// <summary><c>json.dumps({"base": name})</c>, as Cinder records it.</summary>
    public static string ServiceMetadata(string baseImage) => $"{{\"base\": \"{baseImage}\"}}";

    /// <summary>The base image a backup's service_metadata names; null when it names none (Cinder's non-RBD backups).</summary>
    public static string? BaseOf(string? serviceMetadata)
    {
        if (string.IsNullOrEmpty(serviceMetadata))
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(serviceMetadata);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("base", out var b) && b.ValueKind == JsonValueKind.String
                ? b.GetString() is { Length: > 0 } name && ImagePattern().IsMatch(name) ? name : null
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The volume id in a backup image's name.</summary>
    public static string? VolumeOf(string image) => ImagePattern().Match(image) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"^backup\.([a-z0-9\-]+?)\.snap\.(.+)$")]
    private static partial Regex SnapshotPattern();

    [GeneratedRegex(@"^volume-([0-9a-fA-F\-]{1,64})\.backup\.([a-z0-9\-]{1,64})$")]
    private static partial Regex ImagePattern();
}
