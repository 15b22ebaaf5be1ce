using System.Text.Json.Nodes;
using CinderBackup.Engine.Api;

namespace CinderBackup.Interop.Tests;

/// <summary>
/// Interoperability with Cinder's S3BackupDriver (Debian's python3-cinder and boto3) on a local S3 server (moto): a
/// chain Cinder wrote to a bucket imports and restores here byte-identically, and a chain CinderBackup wrote restores
/// byte-identically with Cinder.
/// </summary>
public sealed class S3InteropTests : IDisposable
{
    private const string S3Service = "cinder.backup.drivers.s3.S3BackupDriver";
    private static readonly DateTime T0 = new DateTime(2024, 6, 2, 8, 0, 0, DateTimeKind.Utc).AddTicks(4567890);
    private readonly TempHome _home = new();
    private readonly MotoServer _moto = new();

    public void Dispose()
    {
        _moto.Dispose();
        _home.Dispose();
    }

    private JsonObject S3(string bucket) => new()
    {
        ["endpoint"] = _moto.Endpoint,
        ["access_key"] = MotoServer.AccessKey,
        ["secret_key"] = MotoServer.SecretKey,
        ["bucket"] = bucket,
    };

    private void Configure(string bucket, string codec)
    {
        _home.Set("AWS_ACCESS_KEY_ID", MotoServer.AccessKey).Set("AWS_SECRET_ACCESS_KEY", MotoServer.SecretKey);
        Engines.Configure(_home, ("backup_driver", "s3"), ("backup_s3_endpoint_url", _moto.Endpoint), ("backup_s3_store_bucket", bucket),
            ("backup_s3_object_size", "2MiB"), ("backup_compression_algorithm", codec));
    }

    /// <summary>Our naming (checked against Cinder's answers below).</summary>
    private static string Prefix(string volumeId, string backupId, DateTime utc) =>
        CinderBackup.Engine.ObjectStores.S3.S3ObjectStore.ObjectPrefix(volumeId, backupId, utc, "nova");

    [Fact]
    public void ACinderS3ChainImportsAndRestoresByteIdentically()
    {
        CinderDriver.RequireCinder();
        var bucket = "cinder-" + Guid.NewGuid().ToString("N");
        var volumeId = Guid.NewGuid().ToString();
        var ids = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        var images = new string[2];
        var fields = new JsonObject[2];
        var requests = new JsonObject[2];
        for (var s = 0; s < 2; s++)
        {
            images[s] = _home.File_($"state{s}.img");
            ChainImage.CreateAt(images[s], s);
            var created = T0.AddMinutes(10 * s);
            fields[s] = new JsonObject
            {
                ["id"] = ids[s],
                ["volume_id"] = volumeId,
                ["display_name"] = s == 0 ? "s3 full" : "s3 inc",
                ["display_description"] = null,
                ["created_at"] = CinderDriver.Time(created),
                ["parent_id"] = s == 0 ? null : ids[0],
                ["container"] = null,
                ["size"] = 1,
            };
            JsonObject? parent = null;
            if (s == 1)
            {
                parent = (JsonObject)fields[0].DeepClone();
                parent["container"] = bucket;
                parent["service_metadata"] = Prefix(volumeId, ids[0], T0.AddSeconds(1));
            }
            requests[s] = new JsonObject
            {
                ["repo"] = "",
                ["driver"] = "s3",
                ["s3"] = S3(bucket),
                ["volume_file"] = images[s],
                ["backup"] = fields[s].DeepClone(),
                ["parent"] = parent,
                ["size_gib"] = 1,
                ["compression"] = "zlib",
                ["file_size"] = 2 * Images.MiB,
                ["sha_block"] = Images.Block,
                ["timestamp"] = CinderDriver.Time(created.AddSeconds(1)),
                ["volume_meta"] = $"{{\"version\": 2, \"volume-base-metadata\": {{\"display_name\": \"s3 vol {s}\", \"encryption_key_id\": null}}}}",
            }.With("backup");
        }
        var answers = CinderDriver.Batch(requests);
        var encodes = new JsonObject[2];
        for (var s = 0; s < 2; s++)
        {
            var a = answers[s]!;
            Assert.Equal(bucket, (string?)a["container"]);
            Assert.Equal(Prefix(volumeId, ids[s], T0.AddMinutes(10 * s).AddSeconds(1)), (string?)a["service_metadata"]);
            Assert.Equal(S3Service, (string?)a["service"]);
            var f = (JsonObject)fields[s].DeepClone();
            f["container"] = bucket;
            f["service_metadata"] = (string?)a["service_metadata"];
            f["object_count"] = (int)a["object_count"]!;
            f["user_id"] = "cinder-user";
            f["project_id"] = "cinder-project";
            f["status"] = "available";
            f["service"] = S3Service;
            f["host"] = "cinder-host@s3";
            f["availability_zone"] = "nova";
            f["num_dependent_backups"] = s == 0 ? 1 : 0;
            encodes[s] = new JsonObject { ["fields"] = f }.With("encode");
        }
        var records = CinderDriver.Batch(encodes);

        Configure("some-other-bucket", "zstd");
        using var engine = Engines.Open(_home);
        for (var s = 0; s < 2; s++)
        {
            var imported = engine.Backups.Import((string)records[s]!["backup_service"]!, (string)records[s]!["backup_url"]!);
            Assert.Equal((ids[s], bucket, S3Service), (imported.Id, imported.Container, imported.Service));
        }
        for (var s = 0; s < 2; s++)
        {
            Assert.True(engine.Backups.Verify(ids[s], deep: true).IsValid);
            var restored = engine.Backups.Restore(ids[s]);
            Images.AssertSamePrefix(images[s], engine.Volumes.Get(restored.VolumeId).Path, $"Cinder S3 backup {s} restored by CinderBackup");
        }
    }

    [Fact]
    public void ACinderBackupS3ChainRestoresByteIdenticallyWithCinder()
    {
        CinderDriver.RequireCinder();
        var bucket = "ours-" + Guid.NewGuid().ToString("N");
        Configure(bucket, "zstd");
        using var engine = Engines.Open(_home);
        var source = _home.File_("volume.img");
        ChainImage.CreateAt(source, 0);
        var volume = engine.Volumes.Register("s3-interop", source);
        var backups = new VolumeBackup[2];
        var expected = new string[2];
        for (var s = 0; s < 2; s++)
        {
            if (s > 0)
            {
                ChainImage.Change(source, s);
            }
            expected[s] = _home.File_($"expected{s}.img");
            ChainImage.CreateAt(expected[s], s);
            backups[s] = engine.Backups.Create(new BackupCreateOptions { Volume = volume.Id, Name = $"ours {s}", Incremental = s > 0 });
            Assert.Equal(S3Service, backups[s].Service);
            Assert.Equal(bucket, backups[s].Container);
        }

        var requests = new JsonObject[2];
        var targets = new string[2];
        for (var s = 0; s < 2; s++)
        {
            targets[s] = _home.File_($"cinder-restore{s}.img");
            Images.CreateSparse(targets[s], Images.GiB);
            var chain = CinderDriver.RestoreChain(engine, backups, s);
            requests[s] = new JsonObject
            {
                ["repo"] = "",
                ["driver"] = "s3",
                ["s3"] = S3(bucket),
                ["volume_file"] = targets[s],
                ["chain"] = chain,
                ["compression"] = "zstd",
                ["target_volume_id"] = Guid.NewGuid().ToString(),
            }.With("restore");
        }
        CinderDriver.Batch(requests);
        for (var s = 0; s < 2; s++)
        {
            Images.AssertSamePrefix(expected[s], targets[s], $"CinderBackup S3 backup {s} ({backups[s].Id}) restored by Cinder");
        }
    }
}
