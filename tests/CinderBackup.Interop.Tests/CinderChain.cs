using System.Text.Json.Nodes;
using CinderBackup.Engine.ObjectStores.Posix;

namespace CinderBackup.Interop.Tests;

/// <summary>
/// A three-level chain (full, inc1, inc2) written by Cinder's PosixBackupDriver into a posix repository, with the
/// records Cinder's encode_record makes for it, as `cinder backup-export` would print them.
/// </summary>
internal sealed record CinderChain(string Repository, string VolumeId, string[] Ids, string[] ImagePaths, JsonObject[] Fields, JsonArray Records)
{
    public static readonly DateTime T0 = new DateTime(2024, 5, 1, 12, 34, 56, DateTimeKind.Utc).AddTicks(1234560);

    public static CinderChain Write(TempHome home, string codec)
    {
        CinderDriver.RequireCinder();
        var repo = home.File_("cinder-repo");
        var volumeId = Guid.NewGuid().ToString();
        var ids = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        var images = new string[3];
        for (var s = 0; s < 3; s++)
        {
            images[s] = home.File_($"state{s}.img");
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
        return new CinderChain(repo, volumeId, ids, images, fields, CinderDriver.Batch(encodes));
    }

    private static JsonObject Parent(JsonObject parentFields, PosixObjectStore naming, string volumeId, string id, DateTime timestamp)
    {
        var p = (JsonObject)parentFields.DeepClone();
        p["container"] = naming.DefaultContainer(id);
        p["service_metadata"] = naming.Prefix(volumeId, id, timestamp, "nova");
        return p;
    }
}
