using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CinderBackup.Engine.Api;

namespace CinderBackup.Interop.Tests;

/// <summary>
/// Ceph both ways with Cinder's own CephBackupDriver (python3-cinder 21.3.1) on a real one-node cluster (issue 18,
/// item 4, non-RBD sources): we restore Cinder's full backup of a file volume, which Cinder itself cannot (it looks
/// for volume-&lt;vid&gt;.backup.base), from the record Cinder exports; and Cinder restores ours.
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
}
