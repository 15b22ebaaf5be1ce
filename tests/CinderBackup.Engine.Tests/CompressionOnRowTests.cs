using System.Text.Json;
using CinderBackup.Engine.Api;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// The compression chosen for a backup is stored on its row (issue 17, item 5): whoever runs the prepared backup (a
/// --no-wait worker, an -AsJob job) uses it without being told.
/// </summary>
public sealed class CompressionOnRowTests : IDisposable
{
    private readonly TempHome _home = new();

    public CompressionOnRowTests() => _home.WriteConfig("backup_file_size: 1MiB\nbackup_compression_algorithm: zlib\n");

    public void Dispose() => _home.Dispose();

    [Fact]
    public void APreparedBackupRunsWithTheCompressionChosenWhenItWasPrepared()
    {
        VolumeBackup started;
        using (var engine = EngineFactory.Open(_home))
        {
            var v = engine.Volumes.Create("v", 1);
            Disk.WriteRandom(v.Path, 0, 2 << 20, 5);
            started = engine.Backups.StartCreate(new BackupCreateOptions { Volume = "v", Compression = "bz2" });
        }
        using (var runner = EngineFactory.Open(_home))
        {
            var done = runner.Backups.RunCreate(started.Id); // no compression passed: it comes from the row
            Assert.Equal("available", done.Status);
            var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(_home.Home, "backup", done.Container!, done.ServiceMetadata + "_metadata"))).RootElement;
            var objects = metadata.GetProperty("objects").EnumerateArray().Select(o => o.EnumerateObject().Single().Value).ToList();
            Assert.NotEmpty(objects);
            var used = objects.Select(o => o.GetProperty("compression").GetString()).ToHashSet();
            Assert.Contains("bz2", used); // objects that do not shrink are stored as none, as in Cinder
            Assert.DoesNotContain("zlib", used);
        }
    }
}
