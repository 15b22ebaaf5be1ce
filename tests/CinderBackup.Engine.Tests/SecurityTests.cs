using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// Security (issue 9, item 6): file modes of the catalog, the data directory and the repository; admin-only calls
/// refused for other contexts with Cinder's policy message; a project never reaching another project's volumes,
/// snapshots and backups. Every refusal is also checked to change nothing. Credentials are scanned for by the CLI's
/// SecurityCliTests, which see everything: the data directory, the worker log, exported records and all output.
/// </summary>
public sealed class SecurityTests : IClassFixture<SecurityWorld>
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = Private | UnixFileMode.UserExecute;
    private const UnixFileMode GroupFile = Private | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    private const UnixFileMode GroupDirectory = PrivateDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute;

    private readonly SecurityWorld _w;

    public SecurityTests(SecurityWorld world) => _w = world;

    private static string Mode(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);

    /// <summary>Full and incremental backups, a snapshot, restores, a record file and a catalog backup and restore.</summary>
    private static void Workload(TempHome home, BackupEngine engine, string container)
    {
        var v = engine.Volumes.Create("v", 1);
        Disk.WriteRandom(v.Path, 0, 2 << 20, seed: 1);
        engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "full" });
        Disk.WriteRandom(v.Path, 16 << 20, 1 << 20, seed: 2);
        engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "inc", Incremental = true });
        engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "elsewhere", Container = container });
        engine.Snapshots.Create("v", "snap");
        engine.Backups.Restore("inc");
        RecordApi.WriteFile(home.File_("records.yaml"), engine.Records.Export("inc", includeParents: true));
        var copy = engine.CatalogFile.Backup(home.File_("catalog-copy.db"));
        engine.CatalogFile.Restore(copy.Path);
    }

    /// <summary>
    /// After a workload: the data directory, the catalog (with its WAL side files and the copy a catalog restore keeps),
    /// the log, record files, catalog copies, volume images, snapshots and temporary files are the owner's only; the
    /// repository is group-shared as Cinder's is, directories 0770 and objects 0660.
    /// </summary>
    [SqliteFileFact]
    public void FilesArePrivateAndTheRepositoryIsGroupShared()
    {
        using var home = new TempHome();
        home.WriteConfig("backup_file_size: 4MiB\n");
        using (var engine = EngineFactory.Open(home))
        {
            Workload(home, engine, container: "nightly/deep/er");
            engine.Backups.Delete("elsewhere"); // Cinder never removes directories; neither do we
        }
        Assert.Equal(PrivateDirectory, File.GetUnixFileMode(home.Home));
        var catalogFiles = Directory.GetFiles(home.Home, "catalog*.db*");
        Assert.Contains(home.CatalogPath, catalogFiles);
        Assert.Contains(catalogFiles, f => Path.GetFileName(f).StartsWith("catalog-before-restore-", StringComparison.Ordinal));
        Assert.All(catalogFiles, f => Assert.True(File.GetUnixFileMode(f) == Private, $"{f}: {Mode(f)}"));
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(home.Home, "cinder-backup.log")));
        Assert.Equal(Private, File.GetUnixFileMode(home.File_("records.yaml")));
        Assert.Equal(Private, File.GetUnixFileMode(home.File_("catalog-copy.db")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(home.Home, "volumes")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(home.Home, "snapshots")));
        foreach (var dir in new[] { "volumes", "snapshots", "tmp" }.Select(d => Path.Combine(home.Home, d)).Where(Directory.Exists))
        {
            Assert.True(File.GetUnixFileMode(dir) == PrivateDirectory, $"{dir}: {Mode(dir)}");
            foreach (var f in Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories))
            {
                var expected = Directory.Exists(f) ? PrivateDirectory : Private;
                Assert.True(File.GetUnixFileMode(f) == expected, $"{f}: {Mode(f)}");
            }
        }

        var repository = Path.Combine(home.Home, "backup");
        Assert.Equal(GroupDirectory, File.GetUnixFileMode(repository));
        var directories = Directory.GetDirectories(repository, "*", SearchOption.AllDirectories);
        var files = Directory.GetFiles(repository, "*", SearchOption.AllDirectories);
        Assert.Contains(Path.Combine(repository, "nightly", "deep", "er"), directories);
        Assert.True(files.Length >= 6, string.Join("\n", files));
        Assert.All(directories, d => Assert.True(File.GetUnixFileMode(d) == GroupDirectory, $"{d}: {Mode(d)}"));
        Assert.All(files, f => Assert.True(File.GetUnixFileMode(f) == GroupFile, $"{f}: {Mode(f)}"));
        Assert.DoesNotContain(files, f => Path.GetFileName(f).StartsWith(".cbstage-", StringComparison.Ordinal));
    }

    [SqliteFileFact]
    public void ACatalogInADirectoryTheUserMadeIsStillPrivate()
    {
        using var home = new TempHome();
        Directory.CreateDirectory(home.Home, GroupDirectory | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        using (var engine = EngineFactory.Open(home))
        {
            engine.Volumes.Create("v", 1);
        }
        Assert.Equal(Private, File.GetUnixFileMode(home.CatalogPath));
        Assert.Equal(PrivateDirectory, File.GetUnixFileMode(Path.Combine(home.Home, "volumes")));
        Assert.Equal(Private, File.GetUnixFileMode(Directory.GetFiles(Path.Combine(home.Home, "volumes")).Single()));
    }

    /// <summary>A call refused by policy or by visibility; <c>{x}</c> in the message stands for the world's ids.</summary>
    private sealed record Refusal(string Name, string ErrorId, string Message, Action<SecurityWorld> Act);

    private static string Policy(string action) => $"Policy doesn't allow {action} to be performed.";

    /// <summary>Bob (project pb, no admin role) asks for what only an admin may do, on his own resources.</summary>
    private static readonly Refusal[] AdminOnly =
    {
        new("record export", ErrorIds.PolicyNotAuthorized, Policy("backup:export-import"), w => w.Bob.Records.Export("bob-backup")),
        new("record export with parents", ErrorIds.PolicyNotAuthorized, Policy("backup:export-import"), w => w.Bob.Records.Export("bob-backup", includeParents: true)),
        new("record import", ErrorIds.PolicyNotAuthorized, Policy("backup:backup-import"), w => w.Bob.Backups.Import(w.AliceRecord.BackupService, w.AliceRecord.BackupUrl)),
        new("record set import", ErrorIds.PolicyNotAuthorized, Policy("backup:backup-import"), w => w.Bob.Records.Import(new[] { w.AliceRecord })),
        new("record discovery", ErrorIds.PolicyNotAuthorized, Policy("backup:export-import"), w => w.Bob.Records.Discover()),
        new("catalog backup", ErrorIds.PolicyNotAuthorized, Policy("catalog backup"), w => w.Bob.CatalogFile.Backup(w.Home.File_("bobs-copy.db"))),
        new("catalog restore", ErrorIds.PolicyNotAuthorized, Policy("catalog restore"), w => w.Bob.CatalogFile.Restore(w.CatalogCopy, force: true)),
        new("backup force delete", ErrorIds.PolicyNotAuthorized, Policy("volume_extension:backup_admin_actions:force_delete"), w => w.Bob.Backups.Delete("bob-backup", force: true)),
        new("backup reset-state", ErrorIds.PolicyNotAuthorized, Policy("volume_extension:backup_admin_actions:reset_status"), w => w.Bob.Backups.ResetState("bob-backup", "error")),
        new("backup reset-state to a bad status", ErrorIds.PolicyNotAuthorized, Policy("volume_extension:backup_admin_actions:reset_status"), w => w.Bob.Backups.ResetState("bob-backup", "creating")),
        new("volume reset-state", ErrorIds.PolicyNotAuthorized, Policy("volume_extension:volume_admin_actions:reset_status"), w => w.Bob.Volumes.ResetState("bob-vol", "available")),
        new("volume force delete", ErrorIds.PolicyNotAuthorized, Policy("volume_extension:volume_admin_actions:force_delete"), w => w.Bob.Volumes.Delete("bob-vol", force: true)),
        new("snapshot force delete", ErrorIds.PolicyNotAuthorized, Policy("volume_extension:snapshot_admin_actions:force_delete"), w => w.Bob.Snapshots.Delete("bob-snap", force: true)),
        new("quota set for his own project", ErrorIds.PolicyNotAuthorized, Policy("volume_extension:quotas:update"), w => w.Bob.Quotas.Set("pb", backups: 100)),
        new("quota set for another project", ErrorIds.PolicyNotAuthorized, Policy("volume_extension:quotas:update"), w => w.Bob.Quotas.Set("pa", backups: 0)),
        new("quota show of another project", ErrorIds.PolicyNotAuthorized, Policy("volume_extension:quotas:show"), w => w.Bob.Quotas.Get("pa")),
        new("quota usage of another project", ErrorIds.PolicyNotAuthorized, Policy("volume_extension:quotas:show"), w => w.Bob.Quotas.Usage("pa")),
        new("backup list of all projects", ErrorIds.PolicyNotAuthorized, Policy("all_tenants listing"), w => w.Bob.Backups.List(allProjects: true)),
        new("volume list of all projects", ErrorIds.PolicyNotAuthorized, Policy("all_tenants listing"), w => w.Bob.Volumes.List(allProjects: true)),
        new("snapshot list of all projects", ErrorIds.PolicyNotAuthorized, Policy("all_tenants listing"), w => w.Bob.Snapshots.List(allProjects: true)),
    };

    /// <summary>Bob reaches for alice's resources: each is as unknown to him as one that does not exist.</summary>
    private static readonly Refusal[] OtherProject =
    {
        new("show her backup by id", ErrorIds.BackupNotFound, "No backup with a name or ID of '{backup}' exists.", w => w.Bob.Backups.Get(w.AliceBackup)),
        new("show her backup by name", ErrorIds.BackupNotFound, "No backup with a name or ID of 'alice-backup' exists.", w => w.Bob.Backups.Get("alice-backup")),
        new("restore her backup to a new volume", ErrorIds.BackupNotFound, "No backup with a name or ID of '{backup}' exists.", w => w.Bob.Backups.Restore(w.AliceBackup)),
        new("restore her backup over his volume", ErrorIds.BackupNotFound, "No backup with a name or ID of '{backup}' exists.", w => w.Bob.Backups.Restore(w.AliceBackup, "bob-vol")),
        new("restore his backup over her volume", ErrorIds.VolumeNotFound, "No volume with a name or ID of '{volume}' exists.", w => w.Bob.Backups.Restore("bob-backup", w.AliceVolume)),
        new("start a restore of her backup", ErrorIds.BackupNotFound, "No backup with a name or ID of '{backup}' exists.", w => w.Bob.Backups.StartRestore(w.AliceBackup)),
        new("verify her backup", ErrorIds.BackupNotFound, "No backup with a name or ID of '{backup}' exists.", w => w.Bob.Backups.Verify(w.AliceBackup)),
        new("deep-verify her backup", ErrorIds.BackupNotFound, "No backup with a name or ID of '{backup}' exists.", w => w.Bob.Backups.Verify(w.AliceBackup, deep: true)),
        new("export her backup", ErrorIds.PolicyNotAuthorized, Policy("backup:export-import"), w => w.Bob.Backups.Export(w.AliceBackup)),
        new("delete her backup", ErrorIds.BackupNotFound, "No backup with a name or ID of '{backup}' exists.", w => w.Bob.Backups.Delete(w.AliceBackup)),
        new("rename her backup", ErrorIds.BackupNotFound, "No backup with a name or ID of '{backup}' exists.", w => w.Bob.Backups.Update(w.AliceBackup, name: "mine")),
        new("wait for her backup", ErrorIds.BackupNotFound, "No backup with a name or ID of '{backup}' exists.", w => w.Bob.Backups.Wait(w.AliceBackup, TimeSpan.FromSeconds(1))),
        new("list the backups of her volume", ErrorIds.VolumeNotFound, "No volume with a name or ID of '{volume}' exists.", w => w.Bob.Backups.List(volume: w.AliceVolume)),
        new("back up her volume", ErrorIds.VolumeNotFound, "No volume with a name or ID of '{volume}' exists.", w => w.Bob.Backups.Create(new BackupCreateOptions { Volume = w.AliceVolume })),
        new("back up her volume incrementally", ErrorIds.VolumeNotFound, "No volume with a name or ID of 'alice-vol' exists.",
            w => w.Bob.Backups.Create(new BackupCreateOptions { Volume = "alice-vol", Incremental = true })),
        new("back up her snapshot", ErrorIds.SnapshotNotFound, "No snapshot with a name or ID of '{snapshot}' exists.",
            w => w.Bob.Backups.Create(new BackupCreateOptions { Volume = "bob-vol", Snapshot = w.AliceSnapshot })),
        new("show her volume", ErrorIds.VolumeNotFound, "No volume with a name or ID of '{volume}' exists.", w => w.Bob.Volumes.Get(w.AliceVolume)),
        new("rename her volume", ErrorIds.VolumeNotFound, "No volume with a name or ID of '{volume}' exists.", w => w.Bob.Volumes.Update(w.AliceVolume, name: "mine")),
        new("delete her volume", ErrorIds.VolumeNotFound, "No volume with a name or ID of '{volume}' exists.", w => w.Bob.Volumes.Delete(w.AliceVolume)),
        new("extend her volume", ErrorIds.VolumeNotFound, "No volume with a name or ID of '{volume}' exists.", w => w.Bob.Volumes.Extend(w.AliceVolume, 2)),
        new("attach her volume", ErrorIds.VolumeNotFound, "No volume with a name or ID of '{volume}' exists.", w => w.Bob.Volumes.Attach(w.AliceVolume, "i", "/dev/vdb")),
        new("snapshot her volume", ErrorIds.VolumeNotFound, "No volume with a name or ID of '{volume}' exists.", w => w.Bob.Snapshots.Create(w.AliceVolume, "mine")),
        new("list the snapshots of her volume", ErrorIds.VolumeNotFound, "No volume with a name or ID of '{volume}' exists.", w => w.Bob.Snapshots.List(w.AliceVolume)),
        new("show her snapshot", ErrorIds.SnapshotNotFound, "No snapshot with a name or ID of '{snapshot}' exists.", w => w.Bob.Snapshots.Get(w.AliceSnapshot)),
        new("delete her snapshot", ErrorIds.SnapshotNotFound, "No snapshot with a name or ID of 'alice-snap' exists.", w => w.Bob.Snapshots.Delete("alice-snap")),
        new("register a link to her volume image", ErrorIds.InvalidPath, "The path '{root}/her-image-link' is already a volume of another project.",
            w => w.Bob.Volumes.Register("mine", w.Home.File_("her-image-link"))),
        new("register a hard link to her volume image", ErrorIds.InvalidPath, "The path '{root}/her-image-hardlink' is already a volume of another project.",
            w => w.Bob.Volumes.Register("mine", w.Home.File_("her-image-hardlink"))),
        new("register the catalog they share", ErrorIds.InvalidPath, "The path '{root}/home/catalog.db' is CinderBackup's own catalog '{root}/home/catalog.db'; it cannot be a volume.",
            w => w.Bob.Volumes.Register("mine", w.Home.CatalogPath)),
    };

    /// <summary>Alice's record (her backup's id, container and prefix), decoded, changed by <paramref name="change"/> and encoded again.</summary>
    private static string AliceRecordWith(SecurityWorld w, Action<System.Text.Json.Nodes.JsonObject> change)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(Convert.FromBase64String(w.AliceRecord.BackupUrl))!.AsObject();
        change(json);
        return Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));
    }

    private const string OtherId = "7d3c2b1a-0f9e-4d8c-b7a6-958473625140";

    /// <summary>
    /// Reaching alice's data through the repository: an admin of another project imports records made from hers (issue 16,
    /// item 3), and none may become a second row owning her objects, whose delete would remove her data; bob backs up
    /// into, and an admin discovers, a container that a link in the shared repository leads to the volume pool (item 7).
    /// The message names what is wrong.
    /// </summary>
    private static readonly Refusal[] ForeignObjects =
    {
        new("import her prefix under another id", ErrorIds.RecordInvalid, "that is not bound to its id: a backup's prefix ends in _backup_" + OtherId,
            w => w.Admin.Backups.Import(w.AliceRecord.BackupService, AliceRecordWith(w, j => j["id"] = OtherId))),
        new("import an empty prefix in her container", ErrorIds.RecordInvalid, "object prefix (service_metadata) '' that is not bound to its id",
            w => w.Admin.Backups.Import(w.AliceRecord.BackupService, AliceRecordWith(w, j => { j["id"] = OtherId; j["service_metadata"] = ""; }))),
        new("import her id in upper case", ErrorIds.BackupExists, "Invalid backup: Backup already exists in database.",
            w => w.Admin.Backups.Import(w.AliceRecord.BackupService, AliceRecordWith(w, j => j["id"] = w.AliceBackup.ToUpperInvariant()))),
        new("import her id in braces", ErrorIds.BackupExists, "Invalid backup: Backup already exists in database.",
            w => w.Admin.Backups.Import(w.AliceRecord.BackupService, AliceRecordWith(w, j => j["id"] = "{" + w.AliceBackup + "}"))),
        new("back up into a container linked to the volume pool", ErrorIds.InvalidContainer, "Invalid container 'pool-link/x': through a symbolic link it leads to",
            w => w.Bob.Backups.Create(new BackupCreateOptions { Volume = "bob-vol", Container = "pool-link/x" })),
        new("discover through a container linked to the volume pool", ErrorIds.InvalidContainer, "Invalid container 'pool-link': through a symbolic link it leads to",
            w => w.Admin.Records.Discover(container: "pool-link")),
    };

    public static TheoryData<string> ForeignObjectCases => new(ForeignObjects.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(ForeignObjectCases))]
    public void NoImportBecomesASecondOwnerOfAnotherProjectsObjects(string name)
    {
        var c = ForeignObjects.Single(x => x.Name == name);
        var before = _w.Snapshot();
        var e = Assert.Throws<CinderBackupException>(() => c.Act(_w));
        Assert.True(c.ErrorId == e.ErrorId, $"{e.ErrorId}: {e.Message}");
        Assert.Contains(c.Message, e.Message);
        Assert.Equal(before, _w.Snapshot());
    }

    public static TheoryData<string> AdminOnlyCases => new(AdminOnly.Select(c => c.Name));

    // "register the catalog they share" is about the SQLite catalog as a file: left out on PostgreSQL, where there is none.
    public static TheoryData<string> OtherProjectCases => new(OtherProject.Select(c => c.Name)
        .Where(n => !PostgresServer.Selected || n != "register the catalog they share"));

    private void AssertRefused(Refusal c)
    {
        var before = _w.Snapshot();
        var e = Assert.Throws<CinderBackupException>(() => c.Act(_w));
        Assert.Equal((c.ErrorId, c.Message.Replace("{backup}", _w.AliceBackup).Replace("{volume}", _w.AliceVolume).Replace("{snapshot}", _w.AliceSnapshot).Replace("{root}", _w.Home.Root)),
            (e.ErrorId, e.Message));
        Assert.Equal(before, _w.Snapshot());
    }

    [Theory]
    [MemberData(nameof(AdminOnlyCases))]
    public void AdminOnlyOperationsAreRefusedWithCindersPolicyMessage(string name) => AssertRefused(AdminOnly.Single(c => c.Name == name));

    [Theory]
    [MemberData(nameof(OtherProjectCases))]
    public void ANonAdminNeverReachesAnotherProjectsResources(string name) => AssertRefused(OtherProject.Single(c => c.Name == name));

    [Fact]
    public void ListingsShowOnlyTheCallersProjectAndAdminsSeeAll()
    {
        Assert.Equal(new[] { "bob-backup" }, _w.Bob.Backups.List().Select(b => b.Name));
        Assert.Equal(new[] { "bob-vol" }, _w.Bob.Volumes.List().Select(v => v.Name));
        Assert.Equal(new[] { "bob-snap" }, _w.Bob.Snapshots.List().Select(s => s.Name));
        Assert.Empty(_w.Bob.Backups.List(name: "alice-backup"));
        Assert.Equal("pb", _w.Bob.Quotas.Get().ProjectName);
        Assert.Equal(new[] { "alice-backup", "bob-backup" }, _w.Admin.Backups.List(allProjects: true).Select(b => b.Name!).Order());
        // An admin may act across projects (Cinder's admin-or-owner rule).
        Assert.Equal(_w.AliceBackup, _w.Admin.Backups.Get(_w.AliceBackup).Id);
    }
}
