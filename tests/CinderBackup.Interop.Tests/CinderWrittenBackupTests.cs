using System.Text.Json.Nodes;
using CinderBackup.Engine.Repositories;

namespace CinderBackup.Interop.Tests;

/// <summary>
/// (a) Backups written by Cinder's PosixBackupDriver, with records from Cinder's encode_record, import into
/// CinderBackup and restore byte-identically: a full backup and a two-level incremental chain per codec.
/// </summary>
public sealed class CinderWrittenBackupTests : IDisposable
{
    private static readonly DateTime T0 = new DateTime(2024, 5, 1, 12, 34, 56, DateTimeKind.Utc).AddTicks(1234560);
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Theory]
    [InlineData("none")]
    [InlineData("zlib")]
    [InlineData("bz2")]
    [InlineData("zstd")]
    public void CinderChainRestoresByteIdentically(string codec)
    {
        CinderDriver.RequireCinder();
        var repo = _home.File_("cinder-repo");
        var volumeId = Guid.NewGuid().ToString();
        var ids = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        var images = new string[3];
        for (var s = 0; s < 3; s++)
        {
            images[s] = _home.File_($"state{s}.img");
            ChainImage.CreateAt(images[s], s);
        }

        // Cinder backs up each state of the volume: full, inc1 (parent full), inc2 (parent inc1).
        // The parents' container and prefix are needed within the batch, so they are predicted with our naming
        // (PosixObjectStore) and the prediction is checked against Cinder's answers.
        var naming = new PosixObjectStore(repo, createContainers: true);
        var fields = new JsonObject[3];
        var requests = new JsonObject[3];
        for (var s = 0; s < 3; s++)
        {
            var created = T0.AddMinutes(10 * s);
            fields[s] = new JsonObject
            {
                ["id"] = ids[s],
                ["volume_id"] = volumeId,
                ["display_name"] = s == 0 ? "n\u00e4me full" : $"inc{s}",
                ["display_description"] = s == 0 ? "from \"Cinder\"" : null,
                ["created_at"] = CinderDriver.Time(created),
                ["parent_id"] = s == 0 ? null : ids[s - 1],
                ["container"] = null,
                ["size"] = 1,
            };
            requests[s] = new JsonObject
            {
                ["repo"] = repo,
                ["driver"] = "posix",
                ["volume_file"] = images[s],
                ["backup"] = fields[s].DeepClone(),
                ["parent"] = s == 0 ? null : Parent(fields[s - 1], naming, volumeId, ids[s - 1], T0.AddMinutes(10 * (s - 1)).AddSeconds(1)),
                ["size_gib"] = 1,
                ["compression"] = codec,
                ["file_size"] = 2 * Images.MiB,
                ["sha_block"] = Images.Block,
                ["timestamp"] = CinderDriver.Time(created.AddSeconds(1)),
                ["volume_meta"] = $"{{\"version\": 2, \"volume-base-metadata\": {{\"display_name\": \"vol {s}\", \"encryption_key_id\": null}}}}",
            }.With("backup");
        }
        var answers = CinderDriver.Batch(requests);
        for (var s = 0; s < 3; s++)
        {
            var a = answers[s]!;
            Assert.Equal(naming.DefaultContainer(ids[s]), (string?)a["container"]);
            Assert.Equal(naming.Prefix(volumeId, ids[s], T0.AddMinutes(10 * s).AddSeconds(1), "nova"), (string?)a["service_metadata"]);
            Assert.Equal(CinderDriver.PosixService, (string?)a["service"]);
            fields[s]["container"] = (string?)a["container"];
            fields[s]["service_metadata"] = (string?)a["service_metadata"];
            fields[s]["object_count"] = (int)a["object_count"]!;
        }
        Assert.Equal(9, (int)fields[0]["object_count"]!); // 16 MiB + 12345 in 2 MiB objects
        Assert.True((int)fields[1]["object_count"]! >= 4);

        // Cinder's encode_record makes the records, as `cinder backup-export` would print them.
        var encodes = new JsonObject[3];
        for (var s = 0; s < 3; s++)
        {
            var f = (JsonObject)fields[s].DeepClone();
            f["user_id"] = "cinder-user";
            f["project_id"] = "cinder-project";
            f["host"] = "cinder-host@posix";
            f["availability_zone"] = "nova";
            f["status"] = "available";
            f["service"] = CinderDriver.PosixService;
            f["num_dependent_backups"] = s < 2 ? 1 : 0;
            f["data_timestamp"] = f["created_at"]!.DeepClone();
            f["updated_at"] = f["created_at"]!.DeepClone();
            f["metadata"] = new JsonObject { ["origin"] = "cinder" };
            encodes[s] = new JsonObject { ["fields"] = f }.With("encode");
        }
        var records = CinderDriver.Batch(encodes);

        Engines.Configure(_home, ("backup_posix_path", repo), ("backup_compression_algorithm", codec));
        using var engine = Engines.Open(_home);
        for (var s = 0; s < 3; s++)
        {
            var imported = engine.Backups.Import((string)records[s]!["backup_service"]!, (string)records[s]!["backup_url"]!);
            Assert.Equal(ids[s], imported.Id);
            Assert.Equal("available", imported.Status);
            Assert.Equal(volumeId, imported.VolumeId);
            Assert.Equal((string?)fields[s]["container"], imported.Container);
            Assert.Equal((string?)fields[s]["service_metadata"], imported.ServiceMetadata);
            Assert.Equal((int)fields[s]["object_count"]!, imported.ObjectCount);
            Assert.Equal(s == 0 ? null : ids[s - 1], imported.ParentId);
            Assert.Equal(1, imported.Size);
        }

        for (var s = 0; s < 3; s++)
        {
            var result = engine.Backups.Restore(ids[s]);
            var volume = engine.Volumes.Get(result.VolumeId);
            Assert.Equal(1, volume.Size);
            Images.AssertSamePrefix(images[s], volume.Path, $"{codec}: Cinder backup {s} ({ids[s]}) restored by CinderBackup");
            Assert.Equal(ids[s], volume.Metadata["src_backup_id"]);
            // Cinder's volume_meta was understood: the full backup's layer, applied first, names the new volume
            // restore_backup_<id>; later layers leave a volume that has a real name alone (driver.py:192).
            Assert.Equal("vol 0", volume.Name);
        }
    }

    private static JsonObject Parent(JsonObject parentFields, PosixObjectStore naming, string volumeId, string id, DateTime timestamp)
    {
        var p = (JsonObject)parentFields.DeepClone();
        p["container"] = naming.DefaultContainer(id);
        p["service_metadata"] = naming.Prefix(volumeId, id, timestamp, "nova");
        return p;
    }
}
