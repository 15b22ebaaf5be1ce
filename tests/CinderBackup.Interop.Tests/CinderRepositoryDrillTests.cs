using CinderBackup.Engine.Api;

namespace CinderBackup.Interop.Tests;

/// <summary>
/// The catalog-loss drill on a repository written by Cinder's own PosixBackupDriver (a Cinder cloud that is gone):
/// (a) Cinder's records saved as YAML files import, parents first and verified against the repository; (b) with no
/// records at all, discovery rebuilds them from Cinder's _metadata documents. Every backup restores byte-identically.
/// </summary>
public sealed class CinderRepositoryDrillTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private BackupEngine LoseCatalogAndOpen(BackupEngine? engine)
    {
        engine?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in Directory.Exists(_home.Home) ? Directory.GetFiles(_home.Home, "catalog.db*") : Array.Empty<string>())
        {
            File.Delete(f);
        }
        return Engines.Open(_home);
    }

    private static void RestoreEveryBackup(BackupEngine engine, CinderChain chain, string what)
    {
        for (var s = 0; s < 3; s++)
        {
            var result = engine.Backups.Restore(chain.Ids[s]);
            Images.AssertSamePrefix(chain.ImagePaths[s], engine.Volumes.Get(result.VolumeId).Path, $"{what}: Cinder backup {s} ({chain.Ids[s]})");
        }
    }

    [Fact]
    public void RecordFilesThenDiscoveryOnACinderRepository()
    {
        var chain = CinderChain.Write(_home, "zlib");
        Engines.Configure(_home, ("backup_posix_path", chain.Repository));

        // (a) The records Cinder printed, saved as the seeds say (export -f yaml > file), newest first.
        var files = new List<string>();
        for (var s = 2; s >= 0; s--)
        {
            var file = _home.File_($"cinder-{s}.yaml");
            File.WriteAllText(file, RecordApi.FormatYaml(new[]
            {
                new BackupRecord { BackupService = (string)chain.Records[s]!["backup_service"]!, BackupUrl = (string)chain.Records[s]!["backup_url"]! },
            }));
            files.Add(file);
        }
        var engine = LoseCatalogAndOpen(null);
        var result = engine.Records.Import(files.SelectMany(RecordApi.ReadFile).ToList(), verify: true);
        Assert.Equal(chain.Ids, result.Backups.Select(b => b.Id));
        Assert.Empty(result.Warnings);
        RestoreEveryBackup(engine, chain, "record files");

        // (b) No records: Cinder's _metadata documents are enough.
        engine = LoseCatalogAndOpen(engine);
        try
        {
            var found = engine.Records.Discover();
            Assert.Equal(3, found.Count);
            for (var s = 0; s < 3; s++)
            {
                var f = found.Single(x => x.BackupId == chain.Ids[s]);
                Assert.True(f.Status == DiscoveryStatus.Complete, f.Problem);
                var r = f.Record!;
                Assert.Equal((string?)chain.Fields[s]["display_name"], r.Name);
                Assert.Equal((string?)chain.Fields[s]["display_description"], r.Description);
                Assert.Equal(chain.VolumeId, r.VolumeId);
                Assert.Equal(s == 0 ? null : chain.Ids[s - 1], r.ParentId);
                Assert.Equal((int)chain.Fields[s]["object_count"]!, r.ObjectCount);
                Assert.Equal((string?)chain.Fields[s]["container"], r.Container);
                Assert.Equal(1, r.Size); // Cinder's volume_meta here has no size: counted from the _sha256file
                Assert.Equal(CinderChain.T0.AddMinutes(10 * s), r.CreatedAtUtc);
            }
            var imported = engine.Records.Import(found.Select(f => f.Record!).ToList());
            Assert.Equal(chain.Ids, imported.Backups.Select(b => b.Id));
            Assert.Equal(1, engine.Backups.Get(chain.Ids[0]).NumDependentBackups);
            RestoreEveryBackup(engine, chain, "discovery");
        }
        finally
        {
            engine.Dispose();
        }
    }
}
