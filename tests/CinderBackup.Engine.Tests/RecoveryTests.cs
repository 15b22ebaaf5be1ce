using System.Diagnostics;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Operations;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// Start-up recovery takes the repository's commit point (the _metadata a backup writes last) as the truth (issue 16):
/// a backup left "creating" by an owner that is gone is adopted as available when its _metadata is complete and
/// consistent, reset (and its partial objects removed) only when there is none, and kept, objects and all, in error
/// when a _metadata is there but does not hold together. Also: deletes record their owner and resume.
/// </summary>
// Trait PostgresCI: CI runs this class on PostgreSQL too (build.ps1; README "Tests").
[Trait("PostgresCI", "true")]
public sealed class RecoveryTests : IDisposable
{
    private readonly TempHome _home = new();

    public RecoveryTests() => _home.WriteConfig("backup_file_size: 1MiB\nquota_backups: 100\n");

    public void Dispose() => _home.Dispose();

    private BackupEngine Open() => EngineFactory.Open(_home);

    private string Repo => Path.Combine(_home.Home, "backup");

    /// <summary>A pid that ran and is gone.</summary>
    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    private static BackupRow Row(BackupEngine engine, string id) => engine.Catalog.Read(db => BackupTable.Get(db, id, includeDeleted: true))!;

    /// <summary>
    /// Puts a finished backup's row back as a catalog copy taken while it ran shows it: creating, owned by a process that
    /// is gone, no object count or digests, the volume backing-up; with <paramref name="withoutPrefix"/>, as a copy taken
    /// before the backup had saved its container and prefix.
    /// </summary>
    private static void AsIfStillCreating(BackupEngine engine, string id, bool withoutPrefix = false)
    {
        var row = Row(engine, id);
        engine.Catalog.Write(db =>
        {
            db.Execute("UPDATE backups SET status = 'creating', operation = 'create', owner_host = $h, owner_pid = $pid, owner_started_at = $t, heartbeat_at = $t, " +
                       "object_count = NULL, metadata_sha256 = NULL, sha256file_sha256 = NULL" + (withoutPrefix ? ", container = NULL, service_metadata = NULL" : "") + " WHERE id = $id",
                ("$h", engine.Config.Host), ("$pid", DeadPid()), ("$t", Util.Clock.ToStorage(Util.Clock.UtcNow)), ("$id", id));
            db.Execute("UPDATE volumes SET status = 'backing-up', previous_status = 'available' WHERE id = $v", ("$v", row.VolumeId));
            if (row.ParentId is not null)
            {
                BackupTable.AdjustDependents(db, row.ParentId, -1);
            }
        });
    }

    private (string VolumeId, string Sha) Volume(BackupEngine engine, string name, int seed)
    {
        var v = engine.Volumes.Create(name, 1);
        Disk.WriteRandom(v.Path, 0, 6 << 20, seed);
        return (v.Id, Disk.Sha256(v.Path));
    }

    private IEnumerable<string> Objects(string container) =>
        Directory.Exists(Path.Combine(Repo, container)) ? Directory.EnumerateFiles(Path.Combine(Repo, container)).Select(f => Path.GetFileName(f)) : Array.Empty<string>();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ABackupWhoseMetadataIsCompleteIsAdoptedAsAFinishedBackupWouldBe(bool withoutPrefix)
    {
        BackupRow finished;
        string sha;
        using (var engine = Open())
        {
            (_, sha) = Volume(engine, "v", 1);
            var b = engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "b" });
            finished = Row(engine, b.Id);
            AsIfStillCreating(engine, b.Id, withoutPrefix);
        }
        using (var engine = Open())
        {
            var row = Row(engine, finished.Id);
            Assert.Equal(("available", (string?)null, (string?)null), (row.Status, row.FailReason, row.Operation));
            Assert.Equal((finished.Container, finished.ServiceMetadata, finished.ObjectCount), (row.Container, row.ServiceMetadata, row.ObjectCount));
            Assert.Equal((finished.MetadataSha256, finished.Sha256FileSha256), (row.MetadataSha256, row.Sha256FileSha256));
            Assert.Equal(("available", "backing-up"), (engine.Volumes.Get("v").Status, engine.Volumes.Get("v").PreviousStatus));
            Assert.True(engine.Backups.Verify("b", deep: true).IsValid);
            var restored = engine.Backups.Restore("b");
            Assert.Equal(sha, Disk.Sha256(engine.Volumes.Get(restored.VolumeId).Path));
            Assert.Contains(File.ReadAllLines(Path.Combine(_home.Home, "cinder-backup.log")),
                l => l.Contains("\"backup.create.end\"", StringComparison.Ordinal) && l.Contains("adopted on manager restart", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void AnAdoptedIncrementalCountsForItsParentAndRestores()
    {
        string incId, sha;
        using (var engine = Open())
        {
            var (vid, _) = Volume(engine, "v", 2);
            var full = engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "full" });
            Disk.WriteRandom(engine.Volumes.Get("v").Path, 1 << 20, 1 << 20, 3);
            sha = Disk.Sha256(engine.Volumes.Get("v").Path);
            incId = engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "inc", Incremental = true }).Id;
            AsIfStillCreating(engine, incId);
            Assert.Equal(0, engine.Backups.Get("full").NumDependentBackups);
        }
        using (var engine = Open())
        {
            Assert.Equal("available", engine.Backups.Get(incId).Status);
            Assert.Equal(1, engine.Backups.Get("full").NumDependentBackups);
            var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Delete("full"));
            Assert.Equal(ErrorIds.BackupHasDependents, e.ErrorId);
            Assert.Equal(sha, Disk.Sha256(engine.Volumes.Get(engine.Backups.Restore(incId).VolumeId).Path));
        }
    }

    [Fact]
    public void ABackupWithoutMetadataIsResetAndItsPartialObjectsRemoved()
    {
        string id, container;
        using (var engine = Open())
        {
            Volume(engine, "v", 4);
            var b = engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "b" });
            (id, container) = (b.Id, b.Container!);
            AsIfStillCreating(engine, id);
            File.Delete(Path.Combine(Repo, container, b.ServiceMetadata + "_metadata")); // killed before its commit point
        }
        using (var engine = Open())
        {
            var b = engine.Backups.Get(id);
            Assert.Equal(("error", Recovery.CreatingReason), (b.Status, b.FailReason));
            Assert.Empty(Objects(container));
            Assert.Equal("available", engine.Volumes.Get("v").Status);
        }
    }

    [Theory]
    [InlineData("object")]
    [InlineData("digest")]
    [InlineData("listing")]
    [InlineData("identity")]
    public void ABackupWhoseMetadataDoesNotHoldTogetherIsKeptInErrorNotDeleted(string damage)
    {
        string id, container;
        List<string> before;
        using (var engine = Open())
        {
            Volume(engine, "v", 5);
            var b = engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "b" });
            (id, container) = (b.Id, b.Container!);
            var row = Row(engine, id);
            AsIfStillCreating(engine, id);
            var dir = Path.Combine(Repo, container);
            switch (damage)
            {
                case "object":
                    File.Delete(Path.Combine(dir, b.ServiceMetadata + "-00002"));
                    break;
                case "digest":
                    // The row kept the digests of the documents as written; the _metadata changed since.
                    engine.Catalog.Write(db => db.Execute("UPDATE backups SET metadata_sha256 = $m WHERE id = $id", ("$m", row.MetadataSha256), ("$id", id)));
                    File.AppendAllText(Path.Combine(dir, b.ServiceMetadata + "_metadata"), " ");
                    break;
                case "listing":
                    File.WriteAllText(Path.Combine(dir, b.ServiceMetadata + "-99999"), "stray");
                    break;
                case "identity":
                    var path = Path.Combine(dir, b.ServiceMetadata + "_metadata");
                    File.WriteAllText(path, File.ReadAllText(path).Replace(b.VolumeId, Guid.NewGuid().ToString(), StringComparison.Ordinal));
                    break;
            }
            before = Objects(container).OrderBy(n => n, StringComparer.Ordinal).ToList();
        }
        using (var engine = Open())
        {
            var b = engine.Backups.Get(id);
            Assert.Equal("error", b.Status);
            Assert.StartsWith("backup found damaged on manager restart (its objects are kept: verify it, or delete it): ", b.FailReason);
            Assert.Equal(before, Objects(container).OrderBy(n => n, StringComparer.Ordinal).ToList());
            Assert.Equal("available", engine.Volumes.Get("v").Status);
        }
    }

    [Fact]
    public void AnUnreachableRepositoryLeavesTheBackupForLaterAndDoesNotStopTheCommand()
    {
        string id;
        using (var engine = Open())
        {
            Volume(engine, "v", 6);
            id = engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "b", Repository = "default" }).Id;
            AsIfStillCreating(engine, id);
        }
        var moved = Repo + ".away";
        Directory.Move(Repo, moved);
        File.WriteAllText(Repo, "not a directory"); // the repository cannot be read
        using (var engine = Open())
        {
            Assert.Equal("creating", engine.Backups.Get(id).Status);
            Assert.NotEmpty(engine.Volumes.List());
        }
        File.Delete(Repo);
        Directory.Move(moved, Repo);
        using (var engine = Open())
        {
            Assert.Equal("available", engine.Backups.Get(id).Status);
        }
    }

    [Fact]
    public void ADeleteWhoseOwnerIsGoneResumesAndReleasesTheQuotaOnce()
    {
        string id, container;
        using (var engine = Open())
        {
            Volume(engine, "v", 7);
            engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "keep" });
            var b = engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "b" });
            (id, container) = (b.Id, b.Container!);
            // A delete that was under way: status deleting, owner recorded, some objects already gone.
            engine.Catalog.Write(db => db.Execute("UPDATE backups SET status = 'deleting', operation = 'delete', owner_host = $h, owner_pid = $pid WHERE id = $id",
                ("$h", engine.Config.Host), ("$pid", DeadPid()), ("$id", id)));
            File.Delete(Path.Combine(Repo, container, b.ServiceMetadata + "-00001"));
        }
        using (var engine = Open())
        {
            Assert.Throws<CinderBackupException>(() => engine.Backups.Get(id));
            Assert.Equal(BackupStatus.Deleted, Row(engine, id).Status);
            Assert.Empty(Objects(container));
            var usage = engine.Quotas.Usage().ToDictionary(u => u.Type);
            Assert.Equal((1L, 1L), (usage["backups"].InUse, usage["backup_gigabytes"].InUse));
            var releases = engine.Catalog.Read(db => db.ScalarLong("SELECT COUNT(*) FROM reservations WHERE delta < 0 AND resource = 'backups'"));
            Assert.Equal(1, releases);
        }
    }

    [SqliteFileFact("a schema-2 catalog.db made with DROP COLUMN and PRAGMA user_version")]
    public void ADeleteStuckByAnOlderVersionWithNoOwnerResumesAfterTheUpgrade()
    {
        string id;
        using (var engine = Open())
        {
            Volume(engine, "v", 8);
            id = engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "b" }).Id;
            // What an older version left: deleting, no operation, no owner; and the catalog at schema version 2 (before claims).
            engine.Catalog.Write(db =>
            {
                db.Execute("UPDATE backups SET status = 'deleting', operation = NULL, owner_host = NULL, owner_pid = NULL WHERE id = $id", ("$id", id));
                db.Execute("ALTER TABLE backups DROP COLUMN claim_token");
                db.Execute("ALTER TABLE backups DROP COLUMN repository_id");
                db.Execute("ALTER TABLE backups DROP COLUMN repository_location");
                db.Execute("ALTER TABLE backups DROP COLUMN compression");
                db.Execute("DROP INDEX ix_backups_queue");
                db.Execute("ALTER TABLE backups DROP COLUMN queued_at");
                db.Execute("ALTER TABLE backups DROP COLUMN queue_zone");
                db.Execute("ALTER TABLE volumes DROP COLUMN shared");
                db.Execute("DROP TABLE volume_types"); // migration 7
                foreach (var column in new[] { "bytes_read", "bytes_changed", "bytes_stored", "duration_ms" }) // migration 8
                {
                    db.Execute($"ALTER TABLE backups DROP COLUMN {column}");
                }
                db.Execute("ALTER TABLE volumes DROP COLUMN recorded_by_admin"); // migration 9
                db.Execute("ALTER TABLE snapshots DROP COLUMN recorded_by_admin");
                db.Execute("PRAGMA user_version = 2");
            });
        }
        using (var engine = Open())
        {
            Assert.Equal(BackupStatus.Deleted, Row(engine, id).Status);
            Assert.Equal(0, engine.Quotas.Usage().Single(u => u.Type == "backups").InUse);
        }
    }
}
