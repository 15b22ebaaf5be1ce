using System.Text;
using System.Text.Json.Nodes;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// Deep verify checks what restore checks (issue 16, item 6): the whole chain against the requested backup's own
/// _sha256file. Imported records carry no document digests, so a chain made of imported records is only as good as
/// those checks: an incremental re-parented onto another full backup, or one whose _sha256file has a flipped byte,
/// must be reported invalid by verify --deep, naming the problem, and refused by restore.
/// </summary>
public sealed class ChainConsistencyTests : IDisposable
{
    private const string Posix = "cinder.backup.drivers.posix.PosixBackupDriver";
    private readonly TempHome _home = new();
    private BackupEngine _engine;

    public ChainConsistencyTests()
    {
        _home.WriteConfig("backup_file_size: 1MiB\n");
        _engine = EngineFactory.Open(_home);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _home.Dispose();
    }

    private string Repo => Path.Combine(_home.Home, "backup");

    private string Document(VolumeBackup b, string suffix) => Path.Combine(Repo, b.Container!, b.ServiceMetadata + suffix);

    /// <summary>Full F1; incremental I of F1 changing only the second MiB; then full F2 after the first MiB changed too.</summary>
    private (VolumeBackup F1, VolumeBackup I, VolumeBackup F2) Backups()
    {
        var v = _engine.Volumes.Create("v", 1);
        Disk.WriteRandom(v.Path, 0, 4 << 20, 1);
        var f1 = _engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "f1" });
        Disk.WriteRandom(v.Path, 1 << 20, 1 << 20, 2);
        var i = _engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "i", Incremental = true });
        Disk.WriteRandom(v.Path, 0, 1 << 20, 3);
        var f2 = _engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "f2" });
        return (f1, i, f2);
    }

    /// <summary>Loses the catalog and imports the records again, <paramref name="change"/> applied to each record's JSON.</summary>
    private void ReimportAll(IEnumerable<VolumeBackup> backups, Action<string, JsonObject> change)
    {
        var records = backups.Select(b => _engine.Backups.Export(b.Id)).ToList();
        _engine.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _home.LoseCatalog();
        _engine = EngineFactory.Open(_home);
        foreach (var r in records)
        {
            var json = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(r.BackupUrl)))!.AsObject();
            change(r.BackupId!, json);
            _engine.Backups.Import(Posix, Convert.ToBase64String(Encoding.UTF8.GetBytes(json.ToJsonString())));
        }
    }

    private void AssertRefused(VolumeBackup b, params string[] expected)
    {
        var deep = _engine.Backups.Verify(b.Id, deep: true);
        Assert.False(deep.IsValid, "deep verify called the chain valid");
        foreach (var text in expected)
        {
            Assert.Contains(text, deep.Problem);
        }
        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Restore(b.Id));
        Assert.Equal(ErrorIds.RestoreFailed, e.ErrorId);
        foreach (var text in expected)
        {
            Assert.Contains(text, e.Message);
        }
    }

    [Fact]
    public void AnIncrementalReparentedOntoAnotherFullIsInvalid()
    {
        var (f1, i, f2) = Backups();
        ReimportAll(new[] { f1, i, f2 }, (id, json) =>
        {
            if (id == i.Id)
            {
                json["parent_id"] = f2.Id;
            }
        });
        AssertRefused(i, $"says it was made as an incremental of backup {f1.Id}, but the catalog records it as an incremental of backup {f2.Id}",
            "imported or changed with the wrong parent");
        Assert.True(_engine.Backups.Verify(f1.Id, deep: true).IsValid);
        Assert.True(_engine.Backups.Verify(f2.Id, deep: true).IsValid);
    }

    [Fact]
    public void AReparentingThatAlsoEditsTheMetadataIsCaughtByTheBlocks()
    {
        // The _metadata made to agree with the wrong parent (imported backups have no document digests to betray it):
        // only checking the blocks against the requested backup's own list can tell.
        var (f1, i, f2) = Backups();
        ReimportAll(new[] { f1, i, f2 }, (id, json) =>
        {
            if (id == i.Id)
            {
                json["parent_id"] = f2.Id;
            }
        });
        var meta = Document(i, "_metadata");
        File.WriteAllText(meta, File.ReadAllText(meta).Replace(f1.Id, f2.Id, StringComparison.Ordinal));
        Assert.True(_engine.Backups.Verify(i.Id).IsValid); // the quick check reads no data
        AssertRefused(i, $"Backup {f2.Id}: object '{f2.ServiceMetadata}-00001' at volume offset 0",
            $"does not match the SHA-256 that backup {i.Id}'s sha256 list records for it");
    }

    [Fact]
    public void AFlippedByteInAnImportedIncrementalsHashListIsInvalid()
    {
        var (f1, i, _) = Backups();
        ReimportAll(new[] { f1, i }, (_, _) => { });
        // Block 0 comes from the full backup; the incremental's own objects do not hold it, so only a check against the
        // incremental's list notices that its hash changed. A hex digit for another keeps the document well formed.
        var list = Document(i, "_sha256file");
        var text = File.ReadAllText(list);
        var first = text.IndexOf("\"sha256s\": [", StringComparison.Ordinal);
        var at = text.IndexOf('"', first + 12) + 6; // the sixth hex digit of block 0's hash
        var flipped = text[at] == 'a' ? 'b' : 'a';
        File.WriteAllText(list, text[..at] + flipped + text[(at + 1)..]);
        AssertRefused(i, $"Backup {f1.Id}: object '{f1.ServiceMetadata}-00001' at volume offset 0",
            $"block 0 does not match the SHA-256 that backup {i.Id}'s sha256 list records for it");
        Assert.True(_engine.Backups.Verify(f1.Id, deep: true).IsValid);
    }
}
