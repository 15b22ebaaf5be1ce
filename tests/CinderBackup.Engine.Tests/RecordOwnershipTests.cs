using System.Text;
using System.Text.Json.Nodes;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// One backup, one catalog row (issue 16, item 3). Projects share a <c>backup_container</c>; an admin of another
/// project imports records made from alice's: with an empty prefix, with her prefix under a new id, with her id in
/// upper case or braces. None may become a second row owning her objects, and a delete of a row that does (a catalog
/// from before the check) leaves her objects alone: her backup still verifies and restores.
/// </summary>
public sealed class RecordOwnershipTests : IDisposable
{
    private const string Posix = "cinder.backup.drivers.posix.PosixBackupDriver";
    private const string NewId = "5e1f0a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b";

    private readonly TempHome _home = new();
    private readonly BackupEngine _alice;
    private readonly BackupEngine _admin;
    private readonly VolumeBackup _backup;
    private readonly string _image;
    private readonly JsonObject _record;

    public RecordOwnershipTests()
    {
        _home.WriteConfig("backup_file_size: 4MiB\nbackup_container: shared\n");
        _alice = EngineFactory.Open(_home, "pa", "alice", admin: false);
        _admin = EngineFactory.Open(_home, "pb", "carol", admin: true);
        var v = _alice.Volumes.Create("alice-vol", 1);
        Disk.WriteRandom(v.Path, 0, 6 << 20, seed: 7);
        _backup = _alice.Backups.Create(new BackupCreateOptions { Volume = "alice-vol", Name = "alice-backup" });
        _image = _home.File_("alice.img");
        File.Copy(v.Path, _image);
        _record = JsonNode.Parse(Convert.FromBase64String(_admin.Records.Export(_backup.Id)[0].BackupUrl))!.AsObject();
    }

    public void Dispose()
    {
        _admin.Dispose();
        _alice.Dispose();
        _home.Dispose();
    }

    private string Prefix => (string)_record["service_metadata"]!;

    private string[] Objects => Directory.GetFiles(Path.Combine(_home.Home, "backup", "shared")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private string Url(Action<JsonObject> change)
    {
        var json = _record.DeepClone().AsObject();
        change(json);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json.ToJsonString()));
    }

    /// <summary>Alice's backup is whole: every object there, deep verify clean, and a restore gives her bytes back.</summary>
    private void AssertAlicesBackupIsWhole(string[] objects)
    {
        Assert.Equal(objects, Objects);
        Assert.True(_alice.Backups.Verify(_backup.Id, deep: true).IsValid);
        var restored = _alice.Backups.Restore(_backup.Id);
        Assert.Equal(Disk.Sha256(_image), Disk.Sha256(_alice.Volumes.Get(restored.VolumeId).Path));
        _alice.Volumes.Delete(restored.VolumeId);
    }

    [Theory]
    [InlineData("an empty prefix", "")]
    [InlineData("her prefix under a new id", null)]
    [InlineData("a prefix of her prefix", "volume_")]
    public void ARecordWhosePrefixIsNotBoundToItsIdIsRefused(string what, string? prefix)
    {
        var objects = Objects;
        Assert.Contains(objects, o => o.StartsWith(Prefix + "-0000", StringComparison.Ordinal));
        var e = Assert.Throws<CinderBackupException>(() => _admin.Backups.Import(Posix, Url(j =>
        {
            j["id"] = NewId;
            j["service_metadata"] = prefix ?? Prefix;
        })));
        Assert.True(e.ErrorId == ErrorIds.RecordInvalid, $"{what}: {e.ErrorId} {e.Message}");
        Assert.Contains("that is not bound to its id: a backup's prefix ends in _backup_" + NewId, e.Message);
        Assert.Throws<CinderBackupException>(() => _admin.Backups.Get(NewId));
        AssertAlicesBackupIsWhole(objects);
    }

    [Theory]
    [InlineData("upper case")]
    [InlineData("braces")]
    [InlineData("urn and no hyphens")]
    public void HerIdSpeltAnotherWayIsTheSameBackup(string spelling)
    {
        var objects = Objects;
        var id = spelling switch
        {
            "upper case" => _backup.Id.ToUpperInvariant(),
            "braces" => "{" + _backup.Id + "}",
            _ => "urn:uuid:" + _backup.Id.Replace("-", "", StringComparison.Ordinal),
        };
        var e = Assert.Throws<CinderBackupException>(() => _admin.Backups.Import(Posix, Url(j => j["id"] = id)));
        Assert.Equal((ErrorIds.BackupExists, "Invalid backup: Backup already exists in database."), (e.ErrorId, e.Message));
        Assert.Single(_admin.Backups.List(allProjects: true));
        // Looked up in any of those spellings, it is her one backup.
        Assert.Equal(_backup.Id, _admin.Backups.Get(id).Id);
        Assert.Equal(_backup.Id, _alice.Backups.Get(_backup.Id.ToUpperInvariant()).Id);
        AssertAlicesBackupIsWhole(objects);
    }

    [Fact]
    public void AnImportedIdIsKeptInItsOneSpelling()
    {
        _admin.Backups.Delete(_backup.Id);
        var imported = _admin.Backups.Import(Posix, Url(j => j["id"] = "{" + _backup.Id.ToUpperInvariant() + "}"));
        Assert.Equal(_backup.Id, imported.Id);
        Assert.Equal(_backup.Id, _admin.Backups.Get(_backup.Id.ToUpperInvariant()).Id);
    }

    /// <summary>A catalog from before the check: a second row (another project) with alice's container and prefix.</summary>
    private string ForgeSecondRow()
    {
        _admin.Catalog.Write(db =>
        {
            db.Execute("INSERT INTO backups (id, user_id, project_id, volume_id, host, availability_zone, container, status, size, display_name, service_metadata, service, object_count, num_dependent_backups, created_at, updated_at, deleted, repository, driver) " +
                       "SELECT $new, 'carol', 'pb', volume_id, host, availability_zone, container, 'available', size, 'forged', service_metadata, service, object_count, 0, created_at, updated_at, 0, repository, driver FROM backups WHERE id = $id",
                ("$new", NewId), ("$id", _backup.Id));
            return 0;
        });
        return NewId;
    }

    [Fact]
    public void DeletingARowThatSharesHerObjectsLeavesThemForHer()
    {
        var objects = Objects;
        var forged = ForgeSecondRow();
        _admin.Backups.Delete(forged);
        Assert.Throws<CinderBackupException>(() => _admin.Backups.Get(forged));
        AssertAlicesBackupIsWhole(objects);
    }

    [Fact]
    public void ARecordWhoseObjectsAnotherRowOwnsIsRefusedNamingThatRow()
    {
        // The forged row holds her prefix; once her own row is gone, her record would make a second owner.
        var objects = Objects;
        var forged = ForgeSecondRow();
        _admin.Catalog.Write(db => db.Execute("UPDATE backups SET deleted = 1 WHERE id = $id", ("$id", _backup.Id)));
        var e = Assert.Throws<CinderBackupException>(() => _admin.Backups.Import(Posix, Url(_ => { })));
        Assert.Equal(ErrorIds.RecordInvalid, e.ErrorId);
        Assert.Contains($"the objects of backup {_backup.Id} (repository 'default', container 'shared', prefix '{Prefix}') belong to backup {forged}, which is in the catalog", e.Message);
        Assert.Equal(objects, Objects);
    }
}
