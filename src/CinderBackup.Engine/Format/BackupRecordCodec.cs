using System.Globalization;
using System.Text;
using System.Text.Json;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Format;

/// <summary>
/// Cinder's backup record strings (cinder-reference.md §5): <c>backup_url</c> is standard padded base64 of
/// <c>{"driver_info": {}, ...every Backup field but parent...}</c> in the Backup object's field order, dates as
/// <c>%Y-%m-%dT%H:%M:%SZ</c>. Decoding is as lenient and as strict as Cinder's.
/// </summary>
internal static class BackupRecordCodec
{
    public static string Encode(BackupRow b)
    {
        var fields = new List<KeyValuePair<string, object?>>
        {
            new("driver_info", new List<KeyValuePair<string, object?>>()),
            new("id", b.Id),
            new("user_id", b.UserId),
            new("project_id", b.ProjectId),
            new("volume_id", b.VolumeId),
            new("host", b.Host),
            new("availability_zone", b.AvailabilityZone),
            new("container", b.Container),
            new("parent_id", b.ParentId),
            new("status", b.Status),
            new("fail_reason", b.FailReason),
            new("size", b.Size ?? 0),
            new("display_name", b.DisplayName),
            new("display_description", b.DisplayDescription),
            new("service_metadata", b.ServiceMetadata),
            new("service", b.Service),
            new("object_count", b.ObjectCount ?? 0),
            new("temp_volume_id", b.TempVolumeId),
            new("temp_snapshot_id", b.TempSnapshotId),
            new("num_dependent_backups", b.NumDependentBackups),
            new("snapshot_id", b.SnapshotId),
            new("data_timestamp", Time(b.DataTimestamp)),
            new("restore_volume_id", b.RestoreVolumeId),
            new("metadata", b.Metadata.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)).ToList()),
            new("encryption_key_id", b.EncryptionKeyId),
            new("created_at", Time(b.CreatedAt)),
            new("updated_at", Time(b.UpdatedAt)),
            new("deleted_at", Time(b.DeletedAt)),
            new("deleted", b.Deleted),
        };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(PyJson.Dumps(fields)));
    }

    /// <summary>Decodes a backup_url into its fields; failures carry Cinder's InvalidInput texts.</summary>
    public static JsonElement Decode(string backupUrl)
    {
        if (backupUrl is null)
        {
            throw Invalid("Can't decode backup record.");
        }
        byte[] bytes;
        try
        {
            bytes = Base64Lenient(backupUrl);
        }
        catch (FormatException)
        {
            throw Invalid("Can't parse backup record.");
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid("Can't parse backup record.");
        }
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("Can't parse backup record.");
            }
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw Invalid("Can't parse backup record.");
        }
    }

    /// <summary>
    /// CPython's non-strict <c>a2b_base64</c>, which Cinder's decode uses: characters outside the alphabet are
    /// skipped; a pad completing a group ends the data; a group left incomplete is "Incorrect padding".
    /// </summary>
    internal static byte[] Base64Lenient(string s)
    {
        var output = new List<byte>(s.Length * 3 / 4);
        Span<int> group = stackalloc int[4];
        var count = 0;
        var pads = 0;
        foreach (var c in s)
        {
            if (c == '=')
            {
                if (count >= 2 && count + ++pads >= 4)
                {
                    Flush(group, count, output);
                    return output.ToArray();
                }
                continue;
            }
            var v = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a' + 26,
                >= '0' and <= '9' => c - '0' + 52,
                '+' => 62,
                '/' => 63,
                _ => -1,
            };
            if (v < 0)
            {
                continue;
            }
            group[count++] = v;
            if (count == 4)
            {
                Flush(group, 4, output);
                count = 0;
                pads = 0;
            }
        }
        if (count != 0)
        {
            throw new FormatException("Incorrect padding");
        }
        return output.ToArray();
    }

    private static void Flush(ReadOnlySpan<int> group, int count, List<byte> output)
    {
        output.Add((byte)((group[0] << 2) | (group[1] >> 4)));
        if (count > 2)
        {
            output.Add((byte)(((group[1] & 0xf) << 4) | (group[2] >> 2)));
        }
        if (count > 3)
        {
            output.Add((byte)(((group[2] & 0x3) << 6) | group[3]));
        }
    }

    private static string? Time(DateTime? t) => t?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>No target: the reason is the message, and the caller knows the record (or file) it is about.</summary>
    internal static CinderBackupException Invalid(string reason) =>
        new(ErrorIds.RecordInvalid, ErrorKind.InvalidArgument, $"Invalid input received: {reason}");
}
