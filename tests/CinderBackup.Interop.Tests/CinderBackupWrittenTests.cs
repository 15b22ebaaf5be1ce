using System.Text.Json.Nodes;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Format;

namespace CinderBackup.Interop.Tests;

/// <summary>
/// (b) Backups written by CinderBackup (full, then two incrementals of a changing volume) restore
/// byte-identically with Cinder's PosixBackupDriver, per codec.
/// </summary>
public sealed class CinderBackupWrittenTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Theory]
    [InlineData("none")]
    [InlineData("zlib")]
    [InlineData("bz2")]
    [InlineData("zstd")]
    [InlineData("zstd", "managed")] // ZstdSharp, the fallback where libzstd does not load
    public void ChainRestoresByteIdenticallyWithCinder(string codec, string? zstd = null)
    {
        CinderDriver.RequireCinder();
        _home.Set("CINDERBACKUP_ZSTD", zstd);
        var repo = _home.File_("repo");
        Engines.Configure(_home, ("backup_posix_path", repo), ("backup_compression_algorithm", codec), ("backup_file_size", "2MiB"));
        using var engine = Engines.Open(_home);

        // A registered image of 16 MiB + 12345 bytes is a 1 GiB volume whose backups read only the image.
        var source = _home.File_("volume.img");
        ChainImage.CreateAt(source, 0);
        var volume = engine.Volumes.Register("interop-source", source);
        Assert.Equal(1, volume.Size);
        var expected = new string[3];
        var backups = new VolumeBackup[3];
        for (var s = 0; s < 3; s++)
        {
            if (s > 0)
            {
                ChainImage.Change(source, s);
            }
            expected[s] = _home.File_($"expected{s}.img");
            ChainImage.CreateAt(expected[s], s);
            Assert.Equal(Images.Sha256(expected[s], ChainImage.Length), Images.Sha256(source, ChainImage.Length));
            backups[s] = engine.Backups.Create(new BackupCreateOptions
            {
                Volume = volume.Id,
                Name = s == 0 ? "n\u00e4me full" : $"inc{s}",
                Description = "written by \"CinderBackup\"",
                Incremental = s > 0,
            });
            Assert.Equal("available", backups[s].Status);
            Assert.Equal(s == 0 ? null : backups[s - 1].Id, backups[s].ParentId);
        }
        Assert.True(backups[0].ObjectCount >= 9, $"the full backup has {backups[0].ObjectCount} objects");

        // Cinder restores each backup (its chain, requested first) into a fresh sparse 1 GiB file.
        var targets = new string[3];
        var requests = new JsonObject[3];
        for (var s = 0; s < 3; s++)
        {
            targets[s] = _home.File_($"cinder-restore{s}.img");
            Images.CreateSparse(targets[s], Images.GiB);
            var chain = CinderDriver.RestoreChain(engine, backups, s);
            requests[s] = new JsonObject
            {
                ["repo"] = repo,
                ["driver"] = "posix",
                ["volume_file"] = targets[s],
                ["chain"] = chain,
                ["compression"] = codec,
                ["target_volume_id"] = Guid.NewGuid().ToString(),
            }.With("restore");
        }
        var answers = CinderDriver.Batch(requests);

        var metas = backups.Select(b => ReadMetadata(repo, engine.Backups.Get(b.Id)).VolumeMeta).ToList();
        for (var s = 0; s < 3; s++)
        {
            Images.AssertSamePrefix(expected[s], targets[s], $"{codec}: CinderBackup backup {s} ({backups[s].Id}) restored by Cinder");
            // Cinder applied each layer's volume_meta, oldest first.
            var applied = answers[s]!["volume_meta_applied"]!.AsArray().Select(n => (string?)n).ToList();
            Assert.Equal(metas.Take(s + 1), applied);
            Assert.All(applied, m => Assert.Contains("\"version\": 2", m));
        }

        // The full backup's holes of one length are hard links to one file; Cinder deletes them as any objects,
        // newest backup first, and leaves nothing of the chain behind.
        var full = engine.Backups.Get(backups[0].Id);
        var fullObjects = ReadMetadata(repo, full).Objects.Select(o => Path.Combine(repo, full.Container!, o.Name));
        Assert.Contains(LinkCounts(fullObjects), n => n > 1);
        CinderDriver.Batch(Enumerable.Range(0, 3).Reverse().Select(s => new JsonObject
        {
            ["repo"] = repo,
            ["driver"] = "posix",
            ["backup"] = requests[s]["chain"]!.AsArray()[0]!.DeepClone(),
        }.With("delete")).ToArray());
        var left = backups.Select(b => engine.Backups.Get(b.Id))
            .SelectMany(b => Directory.EnumerateFiles(Path.Combine(repo, b.Container!), b.ServiceMetadata + "*"));
        Assert.Empty(left);
    }

    /// <summary>Each file's number of names (stat's %h).</summary>
    private static List<int> LinkCounts(IEnumerable<string> files)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat") { RedirectStandardOutput = true };
        foreach (var a in new[] { "-c", "%h" }.Concat(files))
        {
            psi.ArgumentList.Add(a);
        }
        using var p = System.Diagnostics.Process.Start(psi)!;
        var counts = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        p.WaitForExit();
        return counts;
    }

    private static MetadataDocument ReadMetadata(string repo, VolumeBackup b)
    {
        using var f = File.OpenRead(Path.Combine(repo, b.Container!, b.ServiceMetadata + "_metadata"));
        return MetadataDocument.Read(f, b.ServiceMetadata + "_metadata");
    }
}
