using System.Globalization;
using System.Text.Json.Nodes;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Format;

namespace CinderBackup.Interop.Tests;

/// <summary>
/// (d) Backup record strings both ways: Cinder's encode_record output decodes and imports into CinderBackup;
/// CinderBackup's exports decode with Cinder's decode_record to the same values; and for identical fields our
/// encoder's backup_url is byte-for-byte Cinder's.
/// </summary>
public sealed class RecordTests : IDisposable
{
    // What json.dumps must escape: non-ASCII, an astral character (a surrogate pair), quotes, backslash, U+2028.
    private const string Printable = "n\u00e4me \U0001F600 \"quoted\" back\\slash / <tag> & 'single' \u2028";

    // Control characters too: Cinder stores them (a backup name is any string) and records carry them, so
    // import keeps them (only names typed into create are refused).
    private const string Tricky = Printable + "\ttab\nnewline \u007f\u0001";
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void CinderRecordDecodesAndImports()
    {
        CinderDriver.RequireCinder();
        var fields = new JsonObject
        {
            ["id"] = "0d7f6a2c-8b1e-4c3d-9f5a-6e7b8c9d0a1b",
            ["user_id"] = "cinder-user",
            ["project_id"] = "cinder-project",
            ["volume_id"] = "e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7",
            ["host"] = "cinder-host@posix",
            ["availability_zone"] = "nova",
            ["container"] = "0d/7f/0d7f6a2c-8b1e-4c3d-9f5a-6e7b8c9d0a1b",
            ["parent_id"] = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
            ["status"] = "available",
            ["fail_reason"] = null,
            ["size"] = 7,
            ["display_name"] = Tricky,
            ["display_description"] = "d\u00e9scription",
            ["service_metadata"] = "volume_e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7_20240501123457_backup_0d7f6a2c-8b1e-4c3d-9f5a-6e7b8c9d0a1b",
            ["service"] = CinderDriver.PosixService,
            ["object_count"] = 42,
            ["num_dependent_backups"] = 3,
            ["snapshot_id"] = "11223344-5566-4778-899a-abbccddeeff0",
            ["data_timestamp"] = "2024-04-30T23:59:58.999999",
            ["created_at"] = "2024-05-01T12:34:56.654321",
            ["updated_at"] = "2024-05-01T12:40:00.000000",
            ["metadata"] = new JsonObject { ["k\u00e9y"] = "v\u00e4lue", ["plain"] = "", ["z"] = "last" },
        };
        var answers = CinderDriver.Batch(new JsonObject { ["fields"] = fields }.With("encode"));
        var service = (string)answers[0]!["backup_service"]!;
        var url = (string)answers[0]!["backup_url"]!;
        var cinderDecoded = CinderDriver.Run("decode", new JsonObject { ["backup_url"] = url });

        // Our decoder reads exactly what Cinder's reads.
        var ours = JsonNode.Parse(BackupRecordCodec.Decode(url).GetRawText());
        Assert.True(JsonNode.DeepEquals(cinderDecoded, ours), $"ours: {ours?.ToJsonString()}\nCinder: {cinderDecoded.ToJsonString()}");

        using var engine = Engines.Open(_home);
        var imported = engine.Backups.Import(service, url);
        var b = engine.Backups.Get(imported.Id);
        Assert.Equal((string?)fields["id"], b.Id);
        Assert.Equal((string?)fields["volume_id"], b.VolumeId);
        Assert.Equal((string?)fields["container"], b.Container);
        Assert.Equal((string?)fields["service_metadata"], b.ServiceMetadata);
        Assert.Equal((string?)fields["parent_id"], b.ParentId);
        Assert.Equal((string?)fields["snapshot_id"], b.SnapshotId);
        Assert.Equal(7, b.Size);
        Assert.Equal(42, b.ObjectCount);
        Assert.Equal(3, b.NumDependentBackups);
        Assert.Equal(Tricky, b.Name);
        Assert.Equal("d\u00e9scription", b.Description);
        // Records carry seconds only.
        Assert.Equal(new DateTime(2024, 5, 1, 12, 34, 56, DateTimeKind.Utc), b.CreatedAtUtc);
        Assert.Equal(new DateTime(2024, 4, 30, 23, 59, 58, DateTimeKind.Utc), b.DataTimestampUtc);
        Assert.Equal(new Dictionary<string, string> { ["k\u00e9y"] = "v\u00e4lue", ["plain"] = "", ["z"] = "last" }, b.Metadata);
        // The importing host's service, zone and identity replace the record's (Cinder's manager does the same).
        Assert.Equal("available", b.Status);
        Assert.Equal(CinderDriver.PosixService, b.Service);
        Assert.Equal(Engines.Project, b.ProjectId);
    }

    [Fact]
    public void ExportedRecordsDecodeWithCinderAndReencodeIdentically()
    {
        CinderDriver.RequireCinder();
        var image = _home.File_("small.img");
        File.WriteAllBytes(image, Images.Text(Images.MiB, 41));
        using var engine = Engines.Open(_home);
        var volume = engine.Volumes.Register("small", image);
        var metadata = new Dictionary<string, string> { ["k\u00e9y"] = "v\u00e4lue \U0001F600", ["plain"] = "x", ["empty"] = "" };
        var full = engine.Backups.Create(new BackupCreateOptions { Volume = volume.Id, Name = Printable, Description = "full \"one\"", Metadata = metadata });
        var inc = engine.Backups.Create(new BackupCreateOptions { Volume = volume.Id, Incremental = true });
        var ids = new[] { full.Id, inc.Id };
        var records = ids.Select(engine.Backups.Export).ToArray();

        var decoded = CinderDriver.Batch(records.Select(r => new JsonObject { ["backup_url"] = r.BackupUrl }.With("decode")).ToArray());
        var reencode = new List<JsonObject>();
        for (var i = 0; i < 2; i++)
        {
            var b = engine.Backups.Get(ids[i]);
            var d = decoded[i]!.AsObject();
            Assert.Equal(CinderDriver.PosixService, records[i].BackupService);
            Assert.True(JsonNode.DeepEquals(new JsonObject(), d["driver_info"]));
            Assert.Equal(b.Id, (string?)d["id"]);
            Assert.Equal(b.UserId, (string?)d["user_id"]);
            Assert.Equal(b.ProjectId, (string?)d["project_id"]);
            Assert.Equal(b.VolumeId, (string?)d["volume_id"]);
            Assert.Equal(b.Host, (string?)d["host"]);
            Assert.Equal(b.AvailabilityZone, (string?)d["availability_zone"]);
            Assert.Equal(b.Container, (string?)d["container"]);
            Assert.Equal(b.ParentId, (string?)d["parent_id"]);
            Assert.Equal("available", (string?)d["status"]);
            Assert.Null((string?)d["fail_reason"]);
            Assert.Equal(1, (int)d["size"]!);
            Assert.Equal(b.Name, (string?)d["display_name"]);
            Assert.Equal(b.Description, (string?)d["display_description"]);
            Assert.Equal(b.ServiceMetadata, (string?)d["service_metadata"]);
            Assert.Equal(b.Service, (string?)d["service"]);
            Assert.Equal(b.ObjectCount, (int)d["object_count"]!);
            Assert.Equal(b.NumDependentBackups, (int)d["num_dependent_backups"]!);
            Assert.Equal(i == 0 ? 1 : 0, b.NumDependentBackups);
            Assert.Equal(Seconds(b.DataTimestampUtc), (string?)d["data_timestamp"]);
            Assert.Equal(Seconds(b.CreatedAtUtc), (string?)d["created_at"]);
            Assert.Equal(Seconds(b.UpdatedAtUtc), (string?)d["updated_at"]);
            Assert.Null((string?)d["deleted_at"]);
            Assert.False((bool)d["deleted"]!);
            Assert.Equal(i == 0 ? metadata : new Dictionary<string, string>(),
                d["metadata"]!.AsObject().ToDictionary(kv => kv.Key, kv => (string)kv.Value!));
            // Our decoder agrees with Cinder's on our own record.
            Assert.True(JsonNode.DeepEquals(d, JsonNode.Parse(BackupRecordCodec.Decode(records[i].BackupUrl).GetRawText())));

            var f = (JsonObject)d.DeepClone();
            f.Remove("driver_info");
            reencode.Add(new JsonObject { ["fields"] = f }.With("encode"));
        }

        // Cinder's encode_record of the fields it decoded from our record gives our record back, byte for byte.
        var cinder = CinderDriver.Batch(reencode.ToArray());
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal((string?)cinder[i]!["backup_service"], records[i].BackupService);
            Assert.Equal((string?)cinder[i]!["backup_url"], records[i].BackupUrl);
        }
    }

    [Fact]
    public void EncodeIsByteIdenticalToCinder()
    {
        CinderDriver.RequireCinder();
        var t = new DateTime(2024, 5, 1, 12, 34, 56, DateTimeKind.Utc).AddTicks(6543210);
        var rows = new[]
        {
            // Only what every row has: NULL strings, NULL integers (exported as 0), no metadata.
            new BackupRow
            {
                Id = "00000000-0000-4000-8000-000000000001", UserId = "u", ProjectId = "p",
                VolumeId = "00000000-0000-4000-8000-0000000000aa", Status = "creating", CreatedAt = t,
            },
            // Every field set, strings json.dumps must escape, microseconds that the record drops, a soft delete.
            new BackupRow
            {
                Id = "00000000-0000-4000-8000-000000000002", UserId = "\u00fcser", ProjectId = "pr\u00f6ject",
                VolumeId = "00000000-0000-4000-8000-0000000000bb", Host = "host@posix#pool", AvailabilityZone = "az \u00e9",
                Container = "my/container", ParentId = "00000000-0000-4000-8000-000000000001", Status = "deleted",
                FailReason = "failed:\n\"reason\"\t\\", Size = 1024, DisplayName = Tricky, DisplayDescription = "",
                ServiceMetadata = "{\"base\": \"volume-x.backup.y\"}", Service = "cinder.backup.drivers.nfs.NFSBackupDriver",
                ObjectCount = 123456, TempVolumeId = "00000000-0000-4000-8000-0000000000cc",
                TempSnapshotId = "00000000-0000-4000-8000-0000000000dd", NumDependentBackups = 2,
                SnapshotId = "00000000-0000-4000-8000-0000000000ee", DataTimestamp = t.AddDays(-1),
                RestoreVolumeId = "00000000-0000-4000-8000-0000000000ff", EncryptionKeyId = "key-\u00e9",
                CreatedAt = t, UpdatedAt = t.AddMinutes(5), DeletedAt = t.AddHours(1), Deleted = true,
                Metadata = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1", ["\u00e9"] = "\U0001F600", ["empty"] = "" },
            },
            // An error row with a long reason and a zero size.
            new BackupRow
            {
                Id = "00000000-0000-4000-8000-000000000003", UserId = "u", ProjectId = "p",
                VolumeId = "00000000-0000-4000-8000-0000000000aa", Status = "error", FailReason = new string('x', 255),
                Size = 0, ObjectCount = 0, CreatedAt = t.AddYears(-10), UpdatedAt = t,
            },
        };
        var cinder = CinderDriver.Batch(rows.Select(r => new JsonObject { ["fields"] = Fields(r) }.With("encode")).ToArray());
        for (var i = 0; i < rows.Length; i++)
        {
            var ours = BackupRecordCodec.Encode(rows[i]);
            var theirs = (string)cinder[i]!["backup_url"]!;
            Assert.True(theirs == ours,
                $"row {i}: our backup_url differs from Cinder's encode_record.\n  Cinder: {Plain(theirs)}\n  ours:   {Plain(ours)}");
        }
    }

    private static string Plain(string url) => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(url));

    private static string? Seconds(DateTime? t) => t?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? Time(DateTime? t) => t is null ? null : CinderDriver.Time(t.Value);

    /// <summary>The row as Cinder Backup fields (times with their microseconds).</summary>
    private static JsonObject Fields(BackupRow b)
    {
        var metadata = new JsonObject();
        foreach (var (k, v) in b.Metadata)
        {
            metadata[k] = v;
        }
        return new JsonObject
        {
            ["id"] = b.Id,
            ["user_id"] = b.UserId,
            ["project_id"] = b.ProjectId,
            ["volume_id"] = b.VolumeId,
            ["host"] = b.Host,
            ["availability_zone"] = b.AvailabilityZone,
            ["container"] = b.Container,
            ["parent_id"] = b.ParentId,
            ["status"] = b.Status,
            ["fail_reason"] = b.FailReason,
            ["size"] = b.Size,
            ["display_name"] = b.DisplayName,
            ["display_description"] = b.DisplayDescription,
            ["service_metadata"] = b.ServiceMetadata,
            ["service"] = b.Service,
            ["object_count"] = b.ObjectCount,
            ["temp_volume_id"] = b.TempVolumeId,
            ["temp_snapshot_id"] = b.TempSnapshotId,
            ["num_dependent_backups"] = b.NumDependentBackups,
            ["snapshot_id"] = b.SnapshotId,
            ["data_timestamp"] = Time(b.DataTimestamp),
            ["restore_volume_id"] = b.RestoreVolumeId,
            ["metadata"] = metadata,
            ["encryption_key_id"] = b.EncryptionKeyId,
            ["created_at"] = Time(b.CreatedAt),
            ["updated_at"] = Time(b.UpdatedAt),
            ["deleted_at"] = Time(b.DeletedAt),
            ["deleted"] = b.Deleted,
        };
    }
}
