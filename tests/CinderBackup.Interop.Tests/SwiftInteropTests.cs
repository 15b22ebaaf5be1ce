using System.Text.Json.Nodes;
using CinderBackup.Engine.Api;

namespace CinderBackup.Interop.Tests;

/// <summary>
/// Interoperability with Cinder's SwiftBackupDriver (Debian's python3-cinder and python3-swiftclient) on a real Swift
/// all-in-one the test starts (tempauth): chains of three Cinder wrote to a container import from Cinder's own exported
/// records and restore here byte-identically, and chains of three CinderBackup wrote restore byte-identically with
/// Cinder, for every codec.
/// </summary>
public sealed class SwiftInteropTests : IClassFixture<SwiftServer>, IDisposable
{
    private const string SwiftService = "cinder.backup.drivers.swift.SwiftBackupDriver";
    private static readonly DateTime T0 = new DateTime(2024, 6, 3, 9, 0, 0, DateTimeKind.Utc).AddTicks(1234560);
    private readonly TempHome _home = new();
    private readonly SwiftServer _swift;

    public SwiftInteropTests(SwiftServer swift) => _swift = swift;

    public void Dispose() => _home.Dispose();

    private JsonObject Swift(string container) => new()
    {
        ["auth_url"] = _swift.AuthUrl,
        ["user"] = SwiftServer.User,
        ["key"] = SwiftServer.Key,
        ["container"] = container,
    };

    private void Configure(string container, string codec)
    {
        Engines.Configure(_home, ("backup_driver", "swift"), ("backup_swift_auth", "single_user"), ("backup_swift_auth_url", _swift.AuthUrl),
            ("backup_swift_user", SwiftServer.User), ("backup_swift_key", SwiftServer.Key), ("backup_swift_container", container),
            ("backup_swift_object_size", "2MiB"), ("backup_compression_algorithm", codec));
        File.SetUnixFileMode(_home.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static string Prefix(string volumeId, string backupId, DateTime utc) =>
        CinderBackup.Engine.ObjectStores.S3.S3ObjectStore.ObjectPrefix(volumeId, backupId, utc, "nova");

    [Theory]
    [InlineData("zlib")]
    [InlineData("bz2")]
    [InlineData("zstd")]
    [InlineData("none")]
    public void ACinderSwiftChainOfThreeImportsFromCindersRecordsAndRestoresByteIdentically(string codec)
    {
        CinderDriver.RequireCinder();
        var container = "cinder-" + Guid.NewGuid().ToString("N");
        var volumeId = Guid.NewGuid().ToString();
        const int n = 3;
        var ids = Enumerable.Range(0, n).Select(_ => Guid.NewGuid().ToString()).ToArray();
        var images = new string[n];
        var fields = new JsonObject[n];
        var requests = new JsonObject[n];
        for (var s = 0; s < n; s++)
        {
            images[s] = _home.File_($"state{s}.img");
            ChainImage.CreateAt(images[s], s);
            var created = T0.AddMinutes(10 * s);
            fields[s] = new JsonObject
            {
                ["id"] = ids[s],
                ["volume_id"] = volumeId,
                ["display_name"] = s == 0 ? "swift full" : $"swift inc{s}",
                ["display_description"] = null,
                ["created_at"] = CinderDriver.Time(created),
                ["parent_id"] = s == 0 ? null : ids[s - 1],
                ["container"] = null,
                ["size"] = 1,
            };
            JsonObject? parent = null;
            if (s > 0)
            {
                parent = (JsonObject)fields[s - 1].DeepClone();
                parent["container"] = container;
                parent["service_metadata"] = Prefix(volumeId, ids[s - 1], T0.AddMinutes(10 * (s - 1)).AddSeconds(1));
            }
            // In order, in one process: each incremental reads its parent's _sha256file from Swift.
            requests[s] = new JsonObject
            {
                ["repo"] = "",
                ["driver"] = "swift",
                ["swift"] = Swift(container),
                ["volume_file"] = images[s],
                ["backup"] = fields[s].DeepClone(),
                ["parent"] = parent,
                ["size_gib"] = 1,
                ["compression"] = codec,
                ["file_size"] = 2 * Images.MiB,
                ["sha_block"] = Images.Block,
                ["timestamp"] = CinderDriver.Time(created.AddSeconds(1)),
                ["volume_meta"] = $"{{\"version\": 2, \"volume-base-metadata\": {{\"display_name\": \"swift vol {s}\", \"encryption_key_id\": null}}}}",
            }.With("backup");
        }
        var answers = CinderDriver.Batch(requests);
        var encodes = new JsonObject[n];
        for (var s = 0; s < n; s++)
        {
            var a = answers[s]!;
            Assert.Equal(container, (string?)a["container"]);
            Assert.Equal(Prefix(volumeId, ids[s], T0.AddMinutes(10 * s).AddSeconds(1)), (string?)a["service_metadata"]);
            Assert.Equal(SwiftService, (string?)a["service"]);
            var f = (JsonObject)fields[s].DeepClone();
            f["container"] = container;
            f["service_metadata"] = (string?)a["service_metadata"];
            f["object_count"] = (int)a["object_count"]!;
            f["user_id"] = "cinder-user";
            f["project_id"] = "cinder-project";
            f["status"] = "available";
            f["service"] = SwiftService;
            f["host"] = "cinder-host@swift";
            f["availability_zone"] = "nova";
            f["num_dependent_backups"] = s == n - 1 ? 0 : 1;
            encodes[s] = new JsonObject { ["fields"] = f }.With("encode");
        }
        var records = CinderDriver.Batch(encodes);
        Assert.All(records, r => Assert.Equal(SwiftService, (string?)r!["backup_service"]));

        Configure("some-other-container", "zstd");
        using var engine = Engines.Open(_home);
        for (var s = 0; s < n; s++)
        {
            var imported = engine.Backups.Import((string)records[s]!["backup_service"]!, (string)records[s]!["backup_url"]!);
            Assert.Equal((ids[s], container, SwiftService, "default"), (imported.Id, imported.Container, imported.Service, imported.Repository));
        }
        for (var s = 0; s < n; s++)
        {
            var check = engine.Backups.Verify(ids[s], deep: true);
            Assert.True(check.IsValid, check.Problem);
            var restored = engine.Backups.Restore(ids[s]);
            Images.AssertSamePrefix(images[s], engine.Volumes.Get(restored.VolumeId).Path, $"Cinder Swift backup {s} ({codec}) restored by CinderBackup");
        }
    }

    [Theory]
    [InlineData("zlib")]
    [InlineData("bz2")]
    [InlineData("zstd")]
    [InlineData("none")]
    public void ACinderBackupSwiftChainOfThreeRestoresByteIdenticallyWithCinder(string codec)
    {
        CinderDriver.RequireCinder();
        var container = "ours-" + Guid.NewGuid().ToString("N");
        Configure(container, codec);
        using var engine = Engines.Open(_home);
        var source = _home.File_("volume.img");
        ChainImage.CreateAt(source, 0);
        var volume = engine.Volumes.Register("swift-interop", source);
        const int n = 3;
        var backups = new VolumeBackup[n];
        var expected = new string[n];
        for (var s = 0; s < n; s++)
        {
            if (s > 0)
            {
                ChainImage.Change(source, s);
            }
            expected[s] = _home.File_($"expected{s}.img");
            ChainImage.CreateAt(expected[s], s);
            backups[s] = engine.Backups.Create(new BackupCreateOptions { Volume = volume.Id, Name = $"ours {s}", Incremental = s > 0 });
            Assert.Equal((SwiftService, container), (backups[s].Service, backups[s].Container));
            Assert.Equal(s == 0 ? null : backups[s - 1].Id, backups[s].ParentId);
        }

        var requests = new JsonObject[n];
        var targets = new string[n];
        for (var s = 0; s < n; s++)
        {
            targets[s] = _home.File_($"cinder-restore{s}.img");
            Images.CreateSparse(targets[s], Images.GiB);
            var chain = CinderDriver.RestoreChain(engine, backups, s);
            requests[s] = new JsonObject
            {
                ["repo"] = "",
                ["driver"] = "swift",
                ["swift"] = Swift(container),
                ["volume_file"] = targets[s],
                ["chain"] = chain,
                ["compression"] = codec,
                ["target_volume_id"] = Guid.NewGuid().ToString(),
            }.With("restore");
        }
        CinderDriver.Batch(requests);
        for (var s = 0; s < n; s++)
        {
            Images.AssertSamePrefix(expected[s], targets[s], $"CinderBackup Swift backup {s} ({codec}, {backups[s].Id}) restored by Cinder");
        }

        // Cinder's delete_backup removes every object of ours, as of its own.
        CinderDriver.Run("delete", new JsonObject
        {
            ["repo"] = "",
            ["driver"] = "swift",
            ["swift"] = Swift(container),
            ["backup"] = new JsonObject
            {
                ["id"] = backups[n - 1].Id,
                ["volume_id"] = backups[n - 1].VolumeId,
                ["created_at"] = CinderDriver.Time(backups[n - 1].CreatedAtUtc),
                ["container"] = container,
                ["service_metadata"] = backups[n - 1].ServiceMetadata,
            },
        });
        Assert.DoesNotContain(_swift.Objects(container), o => o.StartsWith(backups[n - 1].ServiceMetadata!, StringComparison.Ordinal));
        Assert.Contains(_swift.Objects(container), o => o.StartsWith(backups[0].ServiceMetadata!, StringComparison.Ordinal));
    }
}
