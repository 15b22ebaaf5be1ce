using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CinderBackup.Engine.Api;

namespace CinderBackup.Interop.Tests;

/// <summary>
/// Ceph both ways with Cinder's own CephBackupDriver (python3-cinder 21.3.1) on a real one-node cluster (issue 18,
/// item 4): we restore Cinder's full backup of a file volume, which Cinder itself cannot (it looks for
/// volume-&lt;vid&gt;.backup.base), from the record Cinder exports, and Cinder restores ours; for RBD volumes, Cinder
/// restores each point of our chain (into a file and into an RBD volume) and we restore each point of Cinder's.
/// </summary>
public sealed class CephInteropTests : IClassFixture<CephInteropFixture>, IDisposable
{
    private const int MiB = 1 << 20;
    private const string Service = "cinder.backup.drivers.ceph.CephBackupDriver";
    private readonly CephServer _ceph;
    private readonly TempHome _home = new();

    public CephInteropTests(CephInteropFixture fixture) => _ceph = fixture.Server;

    public void Dispose() => _home.Dispose();

    private JsonObject Cluster(JsonObject request)
    {
        request["conf"] = _ceph.ConfPath;
        request["user"] = "admin";
        request["pool"] = "backups";
        return request;
    }

    private string Volume(string name, int seed)
    {
        var path = _home.File_(name);
        var data = new byte[5 * MiB + 12345];
        new Random(seed).NextBytes(data.AsSpan(0, 2 * MiB));
        new Random(seed + 1).NextBytes(data.AsSpan(4 * MiB));
        File.WriteAllBytes(path, data);
        return path;
    }

    private static string Sha(string path, long length)
    {
        using var f = File.OpenRead(path);
        var buffer = new byte[length];
        f.ReadExactly(buffer);
        return Convert.ToHexString(SHA256.HashData(buffer));
    }

    private const string VolumeMeta = "{\"version\": 2, \"volume-base-metadata\": {\"display_name\": \"from-cinder\", \"display_description\": null}, \"volume-metadata\": {\"k\": \"v\"}}";

    [Fact]
    public void CindersNonRbdFullBackupImportsFromItsRecordAndRestores()
    {
        var source = Volume("cinder-src.img", 3);
        var length = new FileInfo(source).Length;
        var volumeId = Guid.NewGuid().ToString();
        var backupId = Guid.NewGuid().ToString();
        var answer = CinderDriver.RunScript("cinder_ceph.py", "backup", Cluster(new JsonObject
        {
            ["volume_file"] = source,
            ["size_gib"] = 1,
            ["volume_meta"] = VolumeMeta,
            ["backup"] = new JsonObject { ["id"] = backupId, ["volume_id"] = volumeId },
        }));
        Assert.Equal(Service, (string?)answer["service"]);
        Assert.Equal("backups", (string?)answer["container"]);
        Assert.Null(answer["service_metadata"]); // Cinder records none for a non-RBD source
        Assert.Contains($"volume-{volumeId}.backup.{backupId}", _ceph.Rbd("ls", "backups"));

        // The record Cinder's export_record gives for it (its Backup object, encoded by Cinder's code).
        var record = CinderDriver.Batch(new JsonObject
        {
            ["fields"] = new JsonObject
            {
                ["id"] = backupId, ["volume_id"] = volumeId, ["container"] = "backups", ["service_metadata"] = null,
                ["service"] = Service, ["status"] = "available", ["size"] = 1, ["object_count"] = 0,
                ["display_name"] = "cinder-made", ["created_at"] = "2026-01-02T03:04:05.000000",
                ["availability_zone"] = "nova", ["user_id"] = "u", ["project_id"] = "p",
            },
        }.With("encode"))[0]!;
        Assert.Equal(Service, (string?)record["backup_service"]);

        Engines.Configure(_home, ("backup_driver", "cinder.backup.drivers.ceph.CephBackupDriver"), ("backup_ceph_conf", _ceph.ConfPath),
            ("backup_ceph_user", "admin"), ("backup_ceph_pool", "backups"));
        using var engine = Engines.Open(_home);
        var imported = engine.Backups.Import((string)record["backup_service"]!, (string)record["backup_url"]!);
        Assert.Equal(Service, imported.Service);
        var restored = engine.Backups.Restore(imported.Id);
        var volume = engine.Volumes.Get(restored.VolumeId);
        Assert.Equal(Sha(source, length), Sha(volume.Path, length));
        Assert.Equal("from-cinder", volume.Name); // its volume-meta applied, as Cinder's restore does
        Assert.True(engine.Backups.Verify(imported.Id, deep: true).IsValid);

        // Cinder itself cannot restore it (21.3.1 looks for volume-<vid>.backup.base).
        var target = _home.File_("cinder-target.img");
        File.WriteAllBytes(target, Array.Empty<byte>());
        var failed = Assert.ThrowsAny<Exception>(() => CinderDriver.RunScript("cinder_ceph.py", "restore", Cluster(new JsonObject
        {
            ["volume_file"] = target, ["size_gib"] = 1,
            ["backup"] = new JsonObject { ["id"] = backupId, ["volume_id"] = volumeId, ["container"] = "backups" },
        })));
        Assert.Contains($"volume-{volumeId}.backup.base", failed.Message);

        // Deleted as Cinder deletes it: the image and the meta object.
        engine.Backups.Delete(imported.Id);
        Assert.DoesNotContain($"volume-{volumeId}.backup.{backupId}", _ceph.Rbd("ls", "backups"));
        Assert.DoesNotContain($"backup.{backupId}.meta", _ceph.Rados("-p", "backups", "ls"));
    }

    [Fact]
    public void CindersCephDriverRestoresOurFileVolumeBackup()
    {
        Engines.Configure(_home, ("backup_driver", "ceph"), ("backup_ceph_conf", _ceph.ConfPath),
            ("backup_ceph_user", "admin"), ("backup_ceph_pool", "backups"));
        using var engine = Engines.Open(_home);
        var source = Volume("ours.img", 7);
        var length = new FileInfo(source).Length;
        var v = engine.Volumes.Register("ours", source);
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });

        var target = _home.File_("restored-by-cinder.img");
        using (var f = File.Create(target))
        {
            f.SetLength(1L << 30); // Cinder writes volume.size GiB
        }
        var answer = CinderDriver.RunScript("cinder_ceph.py", "restore", Cluster(new JsonObject
        {
            ["volume_file"] = target, ["size_gib"] = 1,
            ["backup"] = new JsonObject { ["id"] = b.Id, ["volume_id"] = b.VolumeId, ["container"] = b.Container, ["service_metadata"] = b.ServiceMetadata },
        }));
        Assert.Equal(Sha(source, length), Sha(target, length));
        Assert.Single(answer["volume_meta_applied"]!.AsArray()); // our backup.<bid>.meta, read by Cinder
        File.Delete(target);

        // Cinder's delete removes what ours wrote under Cinder's names (snapshot, image, meta object).
        CinderDriver.RunScript("cinder_ceph.py", "delete", Cluster(new JsonObject
        {
            ["backup"] = new JsonObject { ["id"] = b.Id, ["volume_id"] = b.VolumeId, ["container"] = b.Container, ["service_metadata"] = b.ServiceMetadata },
        }));
        Assert.DoesNotContain($"volume-{b.VolumeId}.backup.{b.Id}", _ceph.Rbd("ls", "backups"));
        Assert.DoesNotContain($"backup.{b.Id}.meta", _ceph.Rados("-p", "backups", "ls"));
    }

    private const long Chain = 64 * MiB;

    private void Put(string image, long size, long offset, int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        _ceph.Put("volumes/" + image, size, offset, data);
    }

    /// <summary>SHA-256 of the first 64 MiB of an RBD image in pool volumes (all of it holds them).</summary>
    private string ImageSha(string image)
    {
        var file = _home.File_($"export-{Guid.NewGuid():N}.img");
        _ceph.Rbd("export", "volumes/" + image, file);
        var sha = Sha(file, Chain);
        File.Delete(file);
        return sha;
    }

    private void ConfigureRbd() =>
        Engines.Configure(_home, ("backup_driver", "ceph"), ("backup_ceph_conf", _ceph.ConfPath), ("backup_ceph_user", "admin"),
            ("backup_ceph_pool", "backups"), ("rbd_pool", "volumes"), ("rbd_ceph_conf", _ceph.ConfPath), ("rbd_user", "admin"),
            ("quota_volumes", "-1"), ("quota_backups", "-1"));

    private JsonObject Rbd(JsonObject request)
    {
        request["rbd_pool"] = "volumes";
        request["size_gib"] = 1;
        return Cluster(request);
    }

    [Fact]
    public void CindersCephDriverRestoresEachPointOfOurRbdChainIntoAFileAndAnRbdVolume()
    {
        ConfigureRbd();
        using var engine = Engines.Open(_home);
        var image = "ours-" + Guid.NewGuid().ToString("N")[..8];
        _ceph.Rbd("create", "--size", "64M", "volumes/" + image);
        Put(image, Chain, 0, 3 * MiB, 1);
        Put(image, Chain, 40 * MiB, MiB, 2);
        var v = engine.Volumes.RegisterRbd("ours-rbd", "volumes/" + image);
        var points = new List<(VolumeBackup Backup, string Sha)>();
        for (var i = 0; i < 3; i++)
        {
            if (i > 0)
            {
                Put(image, Chain, (10 + i) * MiB, 64 * 1024, 10 + i);
            }
            points.Add((engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = i > 0 }), ImageSha(image)));
        }
        Assert.Single(points.Select(p => p.Backup.ServiceMetadata).Distinct()); // one base image for the chain

        foreach (var (b, sha) in points)
        {
            var fields = new JsonObject { ["id"] = b.Id, ["volume_id"] = b.VolumeId, ["container"] = b.Container, ["service_metadata"] = b.ServiceMetadata, ["parent_id"] = b.ParentId };
            var target = _home.File_($"cinder-{b.Id}.img");
            using (var f = File.Create(target))
            {
                f.SetLength(1L << 30);
            }
            CinderDriver.RunScript("cinder_ceph.py", "restore", Cluster(new JsonObject { ["volume_file"] = target, ["size_gib"] = 1, ["backup"] = fields.DeepClone() }));
            Assert.Equal(sha, Sha(target, Chain));
            File.Delete(target);

            // Into a new RBD volume: Cinder's diff restore (rbd export-diff of the base at the backup's snapshot | import-diff).
            var targetId = Guid.NewGuid().ToString();
            _ceph.Rbd("create", "--size", "1G", $"volumes/volume-{targetId}");
            CinderDriver.RunScript("cinder_ceph.py", "restore_rbd", Rbd(new JsonObject { ["target_volume_id"] = targetId, ["backup"] = fields.DeepClone() }));
            Assert.Equal(sha, ImageSha($"volume-{targetId}"));
            Assert.Contains($"backup.{b.Id}.snap.", _ceph.Rbd("snap", "ls", $"volumes/volume-{targetId}")); // import-diff's end snapshot stays
            _ceph.Rbd("snap", "purge", $"volumes/volume-{targetId}");
            _ceph.Rbd("rm", $"volumes/volume-{targetId}");
        }
    }

    [Fact]
    public void CindersRbdChainImportsFromItsRecordsAndRestoresAtEachPoint()
    {
        var volumeId = Guid.NewGuid().ToString();
        var image = $"volume-{volumeId}";
        _ceph.Rbd("create", "--size", "1G", "volumes/" + image);
        Put(image, 1L << 30, 0, 3 * MiB, 21);
        var points = new List<(string Id, string? Parent, string ServiceMetadata, string Sha)>();
        for (var i = 0; i < 3; i++)
        {
            if (i > 0)
            {
                Put(image, 1L << 30, (8 + i) * MiB, 128 * 1024, 21 + i);
            }
            var id = Guid.NewGuid().ToString();
            var parent = i > 0 ? points[^1] : default;
            var answer = CinderDriver.RunScript("cinder_ceph.py", "backup_rbd", Rbd(new JsonObject
            {
                ["volume_meta"] = VolumeMeta,
                ["backup"] = new JsonObject
                {
                    ["id"] = id, ["volume_id"] = volumeId, ["parent_id"] = parent.Id, ["parent_service_metadata"] = parent.ServiceMetadata,
                },
            }));
            points.Add((id, parent.Id, (string)answer["service_metadata"]!, ImageSha(image)));
        }
        Assert.All(points, p => Assert.Equal($"{{\"base\": \"volume-{volumeId}.backup.{points[0].Id}\"}}", p.ServiceMetadata));
        var snaps = _ceph.Rbd("snap", "ls", $"backups/volume-{volumeId}.backup.{points[0].Id}");
        Assert.All(points, p => Assert.Contains($"backup.{p.Id}.snap.", snaps));

        ConfigureRbd();
        using var engine = Engines.Open(_home);
        foreach (var (id, parent, serviceMetadata, _) in points)
        {
            var record = CinderDriver.Batch(new JsonObject
            {
                ["fields"] = new JsonObject
                {
                    ["id"] = id, ["volume_id"] = volumeId, ["container"] = "backups", ["service_metadata"] = serviceMetadata,
                    ["parent_id"] = parent, ["service"] = Service, ["status"] = "available", ["size"] = 1, ["object_count"] = 0,
                    ["display_name"] = "cinder-" + id[..8], ["created_at"] = "2026-01-02T03:04:05.000000",
                    ["availability_zone"] = "nova", ["user_id"] = "u", ["project_id"] = "p",
                },
            }.With("encode"))[0]!;
            engine.Backups.Import((string)record["backup_service"]!, (string)record["backup_url"]!);
        }
        foreach (var (id, parent, _, sha) in points)
        {
            var b = engine.Backups.Get(id);
            Assert.Equal(parent, b.ParentId);
            var restored = engine.Backups.Restore(id);
            Assert.Equal(sha, Sha(engine.Volumes.Get(restored.VolumeId).Path, Chain));
            var target = engine.Volumes.Create("rbd-" + id[..8], 1, rbd: true);
            engine.Backups.Restore(id, target.Id);
            Assert.Equal(sha, ImageSha($"volume-{target.Id}"));
            Assert.True(engine.Backups.Verify(id, deep: true).IsValid);
        }

        // Deleted newest first as Cinder does: the snapshots, then the base with the last one.
        foreach (var (id, _, _, _) in Enumerable.Reverse(points))
        {
            engine.Backups.Delete(id);
        }
        Assert.DoesNotContain($"volume-{volumeId}.backup.", _ceph.Rbd("ls", "backups"));
    }
}
