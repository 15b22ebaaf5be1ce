using System.Security.Cryptography;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// Protecting backups from the loss of the catalog: record files, record sets imported parents first and all or
/// nothing, -Verify, discovery from a repository alone, and catalog backup and restore.
/// </summary>
// Trait PostgresCI: CI runs this class on PostgreSQL too (build.ps1; README "Tests").
[Trait("PostgresCI", "true")]
public sealed class RecordProtectionTests : IDisposable
{
    private const string Posix = "cinder.backup.drivers.posix.PosixBackupDriver";
    private readonly TempHome _home = new();
    private BackupEngine _engine;

    public RecordProtectionTests()
    {
        _home.WriteConfig("backup_file_size: 4MiB\n");
        _engine = EngineFactory.Open(_home);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _home.Dispose();
    }

    private string Repo => Path.Combine(_home.Home, "backup");

    /// <summary>A volume, its full backup and two incrementals; the volume's bytes at each backup are kept for comparison.</summary>
    private (VolumeBackup[] Chain, string[] Images) Chain(string name)
    {
        var v = _engine.Volumes.Create(name, 1, "the " + name);
        var chain = new VolumeBackup[3];
        var images = new string[3];
        for (var i = 0; i < 3; i++)
        {
            Disk.WriteRandom(v.Path, (i * 37L + name.Length) << 20, 3 << 20, i + name.Length);
            chain[i] = _engine.Backups.Create(new BackupCreateOptions { Volume = name, Name = $"{name}-b{i}", Description = $"level {i}", Incremental = i > 0 });
            images[i] = _home.File_($"{name}-{i}.img");
            File.Copy(v.Path, images[i]);
        }
        return (chain, images);
    }

    private void LoseCatalog()
    {
        _engine.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _home.LoseCatalog();
        _engine = EngineFactory.Open(_home);
    }

    private static string Sha(string path) => Disk.Sha256(path);

    private void AssertRestoresTo(string backupId, string image)
    {
        var r = _engine.Backups.Restore(backupId);
        Assert.Equal(Sha(image), Sha(_engine.Volumes.Get(r.VolumeId).Path));
    }

    [Fact]
    public void ExportWithParentsListsTheChainFullBackupFirst()
    {
        var (chain, _) = Chain("vol1");
        var records = _engine.Records.Export(chain[2].Id, includeParents: true);
        Assert.Equal(chain.Select(b => b.Id), records.Select(r => r.BackupId));
        Assert.Equal(new string?[] { null, chain[0].Id, chain[1].Id }, records.Select(r => r.ParentId));
        Assert.All(records, r => Assert.Equal(Posix, r.BackupService));
        Assert.Single(_engine.Records.Export(chain[2].Id));
    }

    [Fact]
    public void RecordFilesAreWhatTheOpenstackClientPrintsAndReadBack()
    {
        var (chain, _) = Chain("vol1");
        var one = _engine.Records.Export(chain[0].Id);
        Assert.Equal($"backup_service: {Posix}\nbackup_url: {one[0].BackupUrl}\n", RecordApi.FormatYaml(one));

        var all = _engine.Records.Export(chain[2].Id, includeParents: true);
        var file = _home.File_("chain.yaml");
        RecordApi.WriteFile(file, all);
        Assert.Equal(string.Join("---\n", all.Select(r => $"backup_service: {Posix}\nbackup_url: {r.BackupUrl}\n")), File.ReadAllText(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var read = RecordApi.ReadFile(file);
        Assert.Equal(all.Select(r => (r.BackupService, r.BackupUrl)), read.Select(r => (r.BackupService, r.BackupUrl)));
        Assert.Equal($"record file '{file}', line 4", read[1].Source); // the line after the first ---

        // A list of records is accepted too, and an empty backup_service written as ''.
        var list = $"- backup_service: ''\n  backup_url: {all[0].BackupUrl}\n- backup_url: {all[1].BackupUrl}\n  backup_service: {Posix}\n";
        var parsed = RecordApi.ParseYaml(list, "list.yaml");
        Assert.Equal(new[] { "", Posix }, parsed.Select(r => r.BackupService));
    }

    [Fact]
    public void RecordFilesAreNotClobberedUnlessAsked()
    {
        var (chain, _) = Chain("vol1");
        var records = _engine.Records.Export(chain[0].Id);
        var file = _home.File_("r.yaml");
        File.WriteAllText(file, "precious");
        var e = Assert.Throws<CinderBackupException>(() => RecordApi.WriteFile(file, records, noClobber: true));
        Assert.Equal(ErrorIds.FileExists, e.ErrorId);
        Assert.Contains(file, e.Message);
        Assert.Equal("precious", File.ReadAllText(file));

        File.SetUnixFileMode(file, UnixFileMode.UserRead);
        e = Assert.Throws<CinderBackupException>(() => RecordApi.WriteFile(file, records));
        Assert.Contains("read-only; use -Force", e.Message);
        Assert.Equal("precious", File.ReadAllText(file));
        RecordApi.WriteFile(file, records, force: true);
        Assert.Equal(records[0].BackupUrl, RecordApi.ReadFile(file)[0].BackupUrl);
        Assert.Empty(Directory.GetFiles(_home.Root, ".*.tmp")); // no temporary file left behind

        e = Assert.Throws<CinderBackupException>(() => RecordApi.WriteFile(_home.File_("no/such/dir/r.yaml"), records));
        Assert.Contains("does not exist", e.Message);
    }

    [Theory]
    [InlineData("backup_service: s\nbackup_url: u\nextra: 1\n", "line 3: unexpected key 'extra'")]
    [InlineData("backup_service: s\n", "line 1: the record lacks 'backup_url'")]
    [InlineData("backup_service: s\n  backup_url: u\n", "line 2")]
    [InlineData("backup_service: s\nbackup_url:\n", "'backup_url' is empty")]
    [InlineData("backup_service: s\nbackup_url: [a, b]\n", "line 2: the value of 'backup_url' must be a string")]
    [InlineData("just text\n", "line 1: expected a record")]
    [InlineData("", "it holds no record")]
    [InlineData("backup_service: s\nbackup_service: t\nbackup_url: u\n", "line 2: the key 'backup_service' appears twice")]
    public void BadRecordFilesNameTheFileAndLine(string text, string expected)
    {
        var file = _home.File_("bad.yaml");
        File.WriteAllText(file, text);
        var e = Assert.Throws<CinderBackupException>(() => RecordApi.ReadFile(file));
        Assert.Equal(ErrorIds.RecordFileInvalid, e.ErrorId);
        Assert.StartsWith($"Record file '{file}'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void MissingAndBinaryRecordFilesAreClearErrors()
    {
        var e = Assert.Throws<CinderBackupException>(() => RecordApi.ReadFile(_home.File_("nope.yaml")));
        Assert.Equal((ErrorIds.InvalidPath, $"The record file '{_home.File_("nope.yaml")}' does not exist."), (e.ErrorId, e.Message));
        File.WriteAllBytes(_home.File_("bin.yaml"), new byte[] { 0xff, 0xfe, 0x00, 0x80 });
        e = Assert.Throws<CinderBackupException>(() => RecordApi.ReadFile(_home.File_("bin.yaml")));
        Assert.Contains("not UTF-8", e.Message);
    }

    [Fact]
    public void BadBackupUrlsInFilesNameTheRecordAndImportNothing()
    {
        var (chain, _) = Chain("vol1");
        var good = _engine.Records.Export(chain[0].Id)[0];
        LoseCatalog();
        var file = _home.File_("mixed.yaml");
        File.WriteAllText(file, $"backup_service: {Posix}\nbackup_url: {good.BackupUrl}\n---\nbackup_service: {Posix}\nbackup_url: bm90IGpzb24=\n");
        var records = RecordApi.ReadFile(file);
        var e = Assert.Throws<CinderBackupException>(() => _engine.Records.Import(records));
        Assert.Equal($"record file '{file}', line 4: Invalid input received: Can't parse backup record.", e.Message);
        Assert.Empty(_engine.Backups.List());
        Assert.All(_engine.Quotas.Usage(), u => Assert.Equal(0L, (long)u.InUse));
    }

    [Fact]
    public void RecordSetsImportParentsFirstWhateverTheOrder()
    {
        var (chain, images) = Chain("vol1");
        var records = _engine.Records.Export(chain[2].Id, includeParents: true).Reverse().ToList();
        LoseCatalog();
        var result = _engine.Records.Import(records);
        Assert.Equal(chain.Select(b => b.Id), result.Backups.Select(b => b.Id));
        Assert.Empty(result.Warnings);
        Assert.Equal(3, _engine.Backups.List().Count);
        for (var i = 0; i < 3; i++)
        {
            AssertRestoresTo(chain[i].Id, images[i]);
        }
    }

    [Fact]
    public void IdenticalDuplicatesImportOnceAndConflictingOnesAreRefused()
    {
        var (chain, _) = Chain("vol1");
        var first = _engine.Records.Export(chain[1].Id, includeParents: true);
        var second = _engine.Records.Export(chain[2].Id, includeParents: true);
        LoseCatalog();
        Assert.Equal(3, _engine.Records.Import(first.Concat(second).ToList()).Backups.Count);

        // The same backup id with different contents: which one is right cannot be guessed.
        LoseCatalog();
        var json = System.Text.Json.Nodes.JsonNode.Parse(Convert.FromBase64String(first[0].BackupUrl))!;
        json["display_name"] = "changed";
        var changed = new BackupRecord { BackupService = Posix, BackupUrl = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())) };
        var e = Assert.Throws<CinderBackupException>(() => _engine.Records.Import(new[] { first[0], changed }));
        Assert.Contains($"two different records describe backup {chain[0].Id}", e.Message);
        Assert.Empty(_engine.Backups.List());
    }

    [Fact]
    public void AnIncrementalWithoutItsParentImportsWithAWarningAndRestoreNamesTheParent()
    {
        var (chain, images) = Chain("vol1");
        var records = _engine.Records.Export(chain[2].Id, includeParents: true);
        LoseCatalog();
        var result = _engine.Records.Import(new[] { records[2] });
        var warning = Assert.Single(result.Warnings);
        Assert.Contains($"its parent {chain[1].Id} is not in the catalog", warning);
        var volumesBefore = _engine.Volumes.List().Count;
        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Restore(chain[2].Id));
        Assert.Equal(ErrorIds.BackupChainBroken, e.ErrorId);
        Assert.Contains($"Backup {chain[1].Id} could not be found", e.Message);
        Assert.Contains($"import the record of backup {chain[1].Id}", e.Message);
        Assert.Equal("available", _engine.Backups.Get(chain[2].Id).Status);
        Assert.Equal(volumesBefore, _engine.Volumes.List().Count); // no restore_backup_ volume left behind

        // Importing the parents later completes the chain.
        _engine.Records.Import(records.Take(2).ToList());
        AssertRestoresTo(chain[2].Id, images[2]);
        Assert.True(_engine.Volumes.List().Count > volumesBefore);
    }

    [Fact]
    public void ASetWithABadOrExistingRecordImportsNothing()
    {
        var (chain, _) = Chain("vol1");
        var records = _engine.Records.Export(chain[2].Id, includeParents: true);
        LoseCatalog();
        _engine.Records.Import(new[] { records[0] });
        var e = Assert.Throws<CinderBackupException>(() => _engine.Records.Import(records));
        Assert.Equal(ErrorIds.BackupExists, e.ErrorId);
        Assert.Equal("record 1 of 3: Invalid backup: Backup already exists in database.", e.Message);
        Assert.Single(_engine.Backups.List());
        var usage = _engine.Quotas.Usage().Single(u => u.Type == "backups");
        Assert.Equal(1L, (long)usage.InUse);

        var bad = records.Skip(1).Append(new BackupRecord { BackupService = Posix, BackupUrl = "eyJzaXplIjogMX0=" }).ToList();
        e = Assert.Throws<CinderBackupException>(() => _engine.Records.Import(bad));
        Assert.Equal("record 3 of 3: Invalid input received: Provided backup record is missing an id", e.Message);
        Assert.Single(_engine.Backups.List());
    }

    [Fact]
    public void VerifyRefusesARecordWhoseObjectsAreGone()
    {
        var (chain, _) = Chain("vol1");
        var records = _engine.Records.Export(chain[1].Id, includeParents: true);
        var b1 = chain[1];
        LoseCatalog();
        File.Delete(Path.Combine(Repo, b1.Container!, b1.ServiceMetadata + "-00001"));
        var e = Assert.Throws<CinderBackupException>(() => _engine.Records.Import(records, verify: true));
        Assert.Contains("record 2 of 2", e.Message);
        Assert.Contains(b1.ServiceMetadata + "-00001", e.Message);
        Assert.Empty(_engine.Backups.List());

        File.Delete(Path.Combine(Repo, chain[0].Container!, chain[0].ServiceMetadata + "_metadata"));
        e = Assert.Throws<CinderBackupException>(() => _engine.Records.Import(new[] { records[0] }, verify: true));
        Assert.Equal(ErrorIds.BackupObjectMissing, e.ErrorId);
        Assert.Contains("_metadata", e.Message);

        // Without -Verify, Cinder's behaviour: nothing reads the repository.
        Assert.Equal(2, _engine.Records.Import(records).Backups.Count);
    }

    [Fact]
    public void DiscoveryRebuildsEveryRecordFromTheRepositoryAlone()
    {
        var (chain, images) = Chain("vol1");
        var (other, otherImages) = Chain("volume-two");
        var expected = chain.Concat(other).ToDictionary(b => b.Id);
        LoseCatalog();

        var found = _engine.Records.Discover();
        Assert.Equal(6, found.Count);
        Assert.All(found, f => Assert.Equal(DiscoveryStatus.Complete, f.Status));
        foreach (var f in found)
        {
            var b = expected[f.BackupId];
            var r = f.Record!;
            Assert.Equal((b.Name, b.Description, b.VolumeId, b.ParentId, b.Size, b.ObjectCount, b.Container),
                (r.Name, r.Description, r.VolumeId, r.ParentId, r.Size, r.ObjectCount, r.Container));
            Assert.InRange((r.CreatedAt!.Value - b.CreatedAt).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1));
            Assert.False(r.InCatalog);
            Assert.Equal("default", r.Repository);
        }

        var result = _engine.Records.Import(found.Select(f => f.Record!).ToList());
        Assert.Equal(6, result.Backups.Count);
        var full = _engine.Backups.Get(chain[0].Id);
        Assert.Equal(1, full.NumDependentBackups);
        for (var i = 0; i < 3; i++)
        {
            AssertRestoresTo(chain[i].Id, images[i]);
            AssertRestoresTo(other[i].Id, otherImages[i]);
        }
        Assert.All(_engine.Records.Discover(), f => Assert.True(f.Record!.InCatalog));
    }

    [Fact]
    public void DiscoveryReportsIncompleteDamagedAndUnreadableBackups()
    {
        var (chain, _) = Chain("vol1");
        var (other, _) = Chain("vol2");
        string Obj(VolumeBackup b, string suffix) => Path.Combine(Repo, b.Container!, b.ServiceMetadata + suffix);
        File.Delete(Obj(chain[2], "_metadata"));                      // a backup that never finished
        var meta = File.ReadAllBytes(Obj(other[0], "_metadata"));
        File.WriteAllBytes(Obj(other[0], "_metadata"), meta[..(meta.Length / 2)]); // truncated
        File.Delete(Obj(other[1], "-00001"));                          // an object lost
        File.WriteAllText(Path.Combine(Repo, "notes.txt"), "not a backup object");
        LoseCatalog();

        var found = _engine.Records.Discover().ToDictionary(f => f.BackupId);
        Assert.Equal(6, found.Count);
        Assert.Equal(DiscoveryStatus.Complete, found[chain[0].Id].Status);
        Assert.Equal(DiscoveryStatus.Incomplete, found[chain[2].Id].Status);
        Assert.Contains("no _metadata document", found[chain[2].Id].Problem);
        Assert.Equal(DiscoveryStatus.Unreadable, found[other[0].Id].Status);
        Assert.Contains(other[0].ServiceMetadata + "_metadata", found[other[0].Id].Problem);
        Assert.Equal(DiscoveryStatus.Damaged, found[other[1].Id].Status);
        Assert.Contains(other[1].ServiceMetadata + "-00001", found[other[1].Id].Problem);
        Assert.All(found.Values.Where(f => f.Status != DiscoveryStatus.Complete), f => Assert.Null(f.Record));
    }

    [Fact]
    public void AMetadataDocumentImportWouldRefuseIsReportedAndTheRestImport()
    {
        var (chain, images) = Chain("vol1");
        var (other, _) = Chain("vol2");
        string Meta(VolumeBackup b) => Path.Combine(Repo, b.Container!, b.ServiceMetadata + "_metadata");
        void Edit(VolumeBackup b, string from, string to)
        {
            var text = File.ReadAllText(Meta(b));
            Assert.Contains(from, text);
            File.WriteAllText(Meta(b), text.Replace(from, to, StringComparison.Ordinal));
        }
        // Each still parses, but import refuses it: before, one of them made discovery import nothing at all.
        Edit(other[0], "\"parent_id\": null", "\"parent_id\": \"zzz\"");
        Edit(other[1], $"\"backup_name\": \"vol2-b1\"", $"\"backup_name\": \"{new string('n', 300)}\"");
        Edit(other[2], $"\"parent_id\": \"{other[1].Id}\"", $"\"parent_id\": \"{other[2].Id}\"");
        LoseCatalog();

        var found = _engine.Records.Discover().ToDictionary(f => f.BackupId);
        Assert.Equal(6, found.Count);
        Assert.All(chain, b => Assert.Equal(DiscoveryStatus.Complete, found[b.Id].Status));
        Assert.All(other, b => Assert.Equal(DiscoveryStatus.Damaged, found[b.Id].Status));
        Assert.All(other, b => Assert.Contains(b.ServiceMetadata + "_metadata", found[b.Id].Problem));
        Assert.Contains("Provided backup record has a parent_id that is not a UUID: 'zzz'", found[other[0].Id].Problem);
        Assert.Contains("display_name has 300 characters, more than the limit of 255", found[other[1].Id].Problem);
        Assert.Contains($"its parent_id {other[2].Id} leads back to itself", found[other[2].Id].Problem);
        var imported = _engine.Records.Import(found.Values.Where(f => f.Record is not null).Select(f => f.Record!).ToList());
        Assert.Equal(chain.Select(b => b.Id).Order(), imported.Backups.Select(b => b.Id).Order());
        AssertRestoresTo(chain[2].Id, images[2]);
    }

    [Fact]
    public void DiscoveryOfAMissingRepositoryIsAClearError()
    {
        _home.WriteConfig($"backup_posix_path: {_home.File_("nowhere")}\n");
        _engine.Dispose();
        _engine = EngineFactory.Open(_home);
        var e = Assert.Throws<CinderBackupException>(() => _engine.Records.Discover());
        Assert.Equal(ErrorIds.RepositoryUnavailable, e.ErrorId);
        Assert.Contains(_home.File_("nowhere"), e.Message);
        e = Assert.Throws<CinderBackupException>(() => _engine.Records.Discover("elsewhere"));
        Assert.Equal(ErrorIds.RepositoryNotFound, e.ErrorId);
        using var user = EngineFactory.Open(_home, "p", "u", admin: false);
        Assert.Equal(ErrorIds.PolicyNotAuthorized, Assert.Throws<CinderBackupException>(() => user.Records.Discover()).ErrorId);
    }

    [Fact]
    public void CatalogBackupAndRestoreBringBackLostRecords()
    {
        var (chain, images) = Chain("vol1");
        var copy = _engine.CatalogFile.Backup(_home.Root);
        Assert.StartsWith(Path.Combine(_home.Root, "cinderbackup-catalog-"), copy.Path);
        Assert.Equal((1, 3), (copy.Volumes, copy.Backups));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(copy.Path));
        Assert.False(File.Exists(copy.Path + "-wal"));

        _engine.Backups.Delete(chain[2].Id);
        _engine.Volumes.Create("later", 1);
        var restored = _engine.CatalogFile.Restore(copy.Path);
        Assert.NotNull(restored.PreviousCatalogPath);
        Assert.True(File.Exists(restored.PreviousCatalogPath));
        Assert.Equal(3, _engine.Backups.List().Count);
        Assert.DoesNotContain(_engine.Volumes.List(), v => v.Name == "later");

        // Other engines (processes) see the restored catalog.
        using (var second = EngineFactory.Open(_home))
        {
            Assert.Equal(3, second.Backups.List().Count);
        }
        // chain[2]'s objects were deleted with it; its parents restore.
        AssertRestoresTo(chain[1].Id, images[1]);

        // And the saved previous catalog can be put back.
        _engine.CatalogFile.Restore(restored.PreviousCatalogPath!);
        Assert.Contains(_engine.Volumes.List(), v => v.Name == "later");
    }

    [Fact]
    public void BadCatalogBackupsChangeNothing()
    {
        Chain("vol1");
        var before = _engine.Backups.List().Count;
        File.WriteAllText(_home.File_("empty.db"), "");
        File.WriteAllBytes(_home.File_("random.db"), RandomNumberGenerator.GetBytes(8192));
        using (var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_home.File_("other.db")};Pooling=false"))
        {
            other.Open();
            using var cmd = other.CreateCommand();
            cmd.CommandText = "CREATE TABLE t (x);";
            cmd.ExecuteNonQuery();
        }
        foreach (var (file, expected) in new[] { ("empty.db", "empty file"), ("random.db", "not a usable catalog backup"), ("other.db", "not a CinderBackup catalog") })
        {
            var e = Assert.Throws<CinderBackupException>(() => _engine.CatalogFile.Restore(_home.File_(file)));
            Assert.Equal(ErrorIds.CatalogBackupInvalid, e.ErrorId);
            Assert.Contains(_home.File_(file), e.Message);
            Assert.Contains(expected, e.Message);
        }
        var missing = Assert.Throws<CinderBackupException>(() => _engine.CatalogFile.Restore(_home.File_("nope.db")));
        Assert.Equal(ErrorIds.InvalidPath, missing.ErrorId);
        Assert.Equal(before, _engine.Backups.List().Count);
        Assert.Empty(Directory.GetFiles(_home.Home, ".catalog-restore-*"));
        Assert.Empty(Directory.GetFiles(_home.Home, "catalog-before-restore-*"));

        var copy = _engine.CatalogFile.Backup(_home.File_("c.db"));
        var e2 = Assert.Throws<CinderBackupException>(() => _engine.CatalogFile.Backup(_home.File_("c.db")));
        Assert.Contains("already exists", e2.Message);
        _engine.CatalogFile.Backup(_home.File_("c.db"), overwrite: true);
        if (!PostgresServer.Selected)
        {
            // The catalog's own file is never a copy's target (on PostgreSQL there is no such file: nothing to refuse).
            Assert.Throws<CinderBackupException>(() => _engine.CatalogFile.Backup(_home.CatalogPath, overwrite: true));
        }
        _ = copy;
    }

    [Fact]
    public void CatalogRestoreWaitsForRunningOperationsAndNeedsAnAdmin()
    {
        Chain("vol1");
        var copy = _engine.CatalogFile.Backup(_home.File_("c.db"));
        _engine.Volumes.Create("vol2", 1);
        var started = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "vol2" });
        var e = Assert.Throws<CinderBackupException>(() => _engine.CatalogFile.Restore(copy.Path));
        Assert.Equal(ErrorIds.CatalogBusy, e.ErrorId);
        Assert.Contains($"{started.Id} (creating)", e.Message);
        _engine.Backups.RunCreate(started.Id);
        _engine.CatalogFile.Restore(copy.Path);
        Assert.Equal(3, _engine.Backups.List().Count);

        using var user = EngineFactory.Open(_home, "p", "u", admin: false);
        Assert.Equal(ErrorIds.PolicyNotAuthorized, Assert.Throws<CinderBackupException>(() => user.CatalogFile.Backup(_home.File_("d.db"))).ErrorId);
        Assert.Equal(ErrorIds.PolicyNotAuthorized, Assert.Throws<CinderBackupException>(() => user.CatalogFile.Restore(copy.Path)).ErrorId);
    }
}
