using System.Text.Json;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Records;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.Transfer;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Api;

/// <summary>Backups: create (full or incremental), list, show, delete, restore, verify, export and import records.</summary>
public sealed class BackupApi
{
    private readonly BackupEngine _engine;

    internal BackupApi(BackupEngine engine) => _engine = engine;

    private BackupContext Context => _engine.Context;

    /// <summary>Creates a backup and runs it to the end (available), or fails with the reason (error).</summary>
    public VolumeBackup Create(BackupCreateOptions options)
    {
        var creator = new BackupCreator(_engine, options);
        var row = creator.Prepare();
        return creator.Execute(row);
    }

    /// <summary>
    /// The first half of <see cref="Create"/>: checks, quota, statuses, and the backup row in "creating".
    /// <see cref="RunCreate"/> then does the work, in this process or in a detached worker.
    /// </summary>
    public VolumeBackup StartCreate(BackupCreateOptions options) => new BackupCreator(_engine, options).Prepare().ToModel();

    /// <summary>Runs a backup prepared by <see cref="StartCreate"/>, taking over its ownership.</summary>
    public VolumeBackup RunCreate(string backupId, string? compression = null, IProgress<TransferProgress>? progress = null, CancellationToken cancel = default)
    {
        var row = Claim(backupId, "create", BackupStatus.Creating);
        var creator = new BackupCreator(_engine, new BackupCreateOptions { Volume = row.VolumeId, Compression = compression, Progress = progress, Cancel = cancel });
        return creator.Execute(row);
    }

    /// <summary>The first half of <see cref="Restore"/>: checks, the target (a new volume when none is given), statuses.</summary>
    public BackupRestoreResult StartRestore(string backup, string? volume = null, string? name = null, string? availabilityZone = null, int? sizeGiB = null)
    {
        var p = new BackupRestorer(_engine).Prepare(backup, volume, name, availabilityZone, sizeGiB);
        return new BackupRestoreResult { BackupId = p.Backup.Id, VolumeId = p.Volume.Id, VolumeName = p.Volume.Name };
    }

    /// <summary>Runs a restore prepared by <see cref="StartRestore"/>, taking over its ownership.</summary>
    public BackupRestoreResult RunRestore(string backupId, IProgress<TransferProgress>? progress = null, CancellationToken cancel = default)
    {
        var row = Claim(backupId, "restore", BackupStatus.Restoring);
        var volume = _engine.Catalog.Read(db => VolumeRecords.Get(db, row.RestoreVolumeId!))
            ?? throw new CinderBackupException(ErrorIds.VolumeNotFound, ErrorKind.NotFound, $"Volume {row.RestoreVolumeId} could not be found.", row.RestoreVolumeId);
        var isNew = volume.PreviousStatus == Volumes.VolumeStatus.Creating;
        return new BackupRestorer(_engine).Execute(new BackupRestorer.Prepared(row, volume, isNew), progress, cancel);
    }

    /// <summary>Makes this process the owner of a prepared operation (so recovery knows it is alive).</summary>
    private BackupRow Claim(string backupId, string operation, string status)
    {
        return _engine.Catalog.Write(db =>
        {
            var row = BackupRecords.Get(db, backupId)
                ?? throw new CinderBackupException(ErrorIds.BackupNotFound, ErrorKind.NotFound, $"Backup {backupId} could not be found.", backupId);
            if (row.Operation != operation || row.Status != status)
            {
                throw new CinderBackupException(ErrorIds.BackupInvalidState, ErrorKind.InvalidState,
                    $"Backup {backupId} has no {operation} operation waiting (status {row.Status}).", backupId);
            }
            var now = Clock.UtcNow;
            db.Execute("UPDATE backups SET owner_host = $h, owner_pid = $pid, owner_started_at = $now, heartbeat_at = $now WHERE id = $id",
                ("$h", _engine.Config.Host), ("$pid", Environment.ProcessId), ("$now", Clock.ToStorage(now)), ("$id", backupId));
            row.OwnerHost = _engine.Config.Host;
            row.OwnerPid = Environment.ProcessId;
            return row;
        });
    }

    /// <summary>
    /// Ends a prepared operation that will not run (its worker could not start): the backup goes to error (a
    /// create) or back to available (a restore, whose volume goes to error_restoring), as after a crash.
    /// </summary>
    public void Abandon(string backupId, string reason) => Recovery.Clean(_engine, backupId, reason);

    /// <summary>The process that owns a backup's running operation, if any (for waiting on a hand-off).</summary>
    public int? OwnerProcess(string backupId) =>
        _engine.Catalog.Read(db => (int?)(long?)db.Scalar("SELECT owner_pid FROM backups WHERE id = $id AND operation IS NOT NULL", ("$id", backupId)));

    /// <summary>
    /// Waits until a backup leaves creating, restoring and deleting (or is deleted) and returns it as it then is.
    /// </summary>
    public VolumeBackup Wait(string nameOrId, TimeSpan? timeout = null, CancellationToken cancel = default)
    {
        var id = _engine.Catalog.Read(db => Lookup.Backup(db, Context, nameOrId)).Id;
        var deadline = timeout is TimeSpan t ? DateTime.UtcNow + t : DateTime.MaxValue;
        while (true)
        {
            var row = _engine.Catalog.Read(db => BackupRecords.Get(db, id, includeDeleted: true))!;
            if (row.Deleted || row.Status is not (BackupStatus.Creating or BackupStatus.Restoring or BackupStatus.Deleting))
            {
                return row.ToModel();
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new CinderBackupException(ErrorIds.WaitTimeout, ErrorKind.Timeout,
                    $"Backup {id} is still {row.Status} after {timeout!.Value.TotalSeconds:0} seconds.", id);
            }
            cancel.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(500));
            cancel.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Admin reset of a backup's status (os-reset_status): only available or error, with Cinder's message; on a
    /// restoring backup it cancels the restore. Setting error also removes the backup's temporary snapshot.
    /// </summary>
    public VolumeBackup ResetState(string nameOrId, string status)
    {
        Policy.RequireAdmin(Context, "backup:backup-reset_status");
        var lower = status?.ToLowerInvariant();
        if (lower is not (BackupStatus.Available or BackupStatus.Error))
        {
            throw new CinderBackupException(ErrorIds.BackupStatusInvalid, ErrorKind.InvalidArgument,
                $"Backup status: {status} is invalid, valid statuses are: ['available', 'error'].", status);
        }
        var row = _engine.Catalog.Write(db =>
        {
            var b = Lookup.Backup(db, Context, nameOrId);
            EventLog.Write(_engine, "backup.reset_status.start", b);
            db.Execute("UPDATE backups SET status = $s, updated_at = $now WHERE id = $id",
                ("$s", lower), ("$now", Clock.ToStorage(Clock.UtcNow)), ("$id", b.Id));
            return BackupRecords.Get(db, b.Id)!;
        });
        if (lower == BackupStatus.Error && row.TempSnapshotId is not null && row.Operation is null)
        {
            _engine.Snapshots.DeleteTemporary(row.TempSnapshotId);
        }
        EventLog.Write(_engine, "backup.reset_status.end", row);
        return row.ToModel();
    }

    /// <summary>Changes a backup's name, description or metadata (Cinder's backup update).</summary>
    public VolumeBackup Update(string nameOrId, string? name = null, string? description = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        VolumeApi.ValidateText(name, "name");
        VolumeApi.ValidateText(description, "description");
        VolumeApi.ValidateMetadata(metadata);
        return _engine.Catalog.Write(db =>
        {
            var b = Lookup.Backup(db, Context, nameOrId);
            b.DisplayName = name ?? b.DisplayName;
            b.DisplayDescription = description ?? b.DisplayDescription;
            if (metadata is not null)
            {
                foreach (var (k, v) in metadata)
                {
                    b.Metadata[k] = v;
                }
            }
            BackupRecords.Update(db, b);
            db.Execute("DELETE FROM backup_metadata WHERE backup_id = $id", ("$id", b.Id));
            foreach (var (k, v) in b.Metadata)
            {
                db.Execute("INSERT INTO backup_metadata (backup_id, key, value) VALUES ($id, $k, $v)", ("$id", b.Id), ("$k", k), ("$v", v));
            }
            return BackupRecords.Get(db, b.Id)!.ToModel();
        });
    }

    public VolumeBackup Get(string nameOrId) => _engine.Catalog.Read(db => Lookup.Backup(db, Context, nameOrId)).ToModel();

    /// <summary>Backups of the caller's project (all projects for an admin who asks), newest first.</summary>
    public IReadOnlyList<VolumeBackup> List(bool allProjects = false, string? name = null, string? status = null, string? volume = null)
    {
        var project = Policy.ProjectFilter(Context, allProjects);
        return _engine.Catalog.Read(db =>
        {
            var volumeId = volume is null ? null : Lookup.Volume(db, Context, volume).Id;
            return BackupRecords.List(db, project, volumeId, name)
                .Where(b => status is null || b.Status == status)
                .Select(b => b.ToModel())
                .ToList();
        });
    }

    public VolumeBackup Delete(string nameOrId, bool force = false) => new BackupDeleter(_engine).Delete(nameOrId, force);

    /// <summary>
    /// Restores a backup to <paramref name="volume"/>, or to a new volume (named <paramref name="name"/>, else
    /// restore_backup_&lt;id&gt;, then renamed from the backup's volume metadata as Cinder does).
    /// </summary>
    public BackupRestoreResult Restore(string backup, string? volume = null, string? name = null, string? availabilityZone = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancel = default, int? sizeGiB = null)
    {
        var restorer = new BackupRestorer(_engine);
        var prepared = restorer.Prepare(backup, volume, name, availabilityZone, sizeGiB);
        return restorer.Execute(prepared, progress, cancel);
    }

    /// <summary>
    /// Checks a backup and its parents without restoring. Quick: documents, listing, coverage, object presence.
    /// Deep: also every object's bytes (length, MD5, SHA-256 of every block). Problems are reported in the result.
    /// </summary>
    public BackupVerifyResult Verify(string nameOrId, bool deep = false, IProgress<TransferProgress>? progress = null, CancellationToken cancel = default)
    {
        var row = _engine.Catalog.Read(db => Lookup.Backup(db, Context, nameOrId));
        var mode = deep ? "deep" : "quick";
        if (row.Status is not (BackupStatus.Available or BackupStatus.Restoring))
        {
            return new BackupVerifyResult
            {
                BackupId = row.Id, Name = row.DisplayName, Mode = mode, IsValid = false,
                Problem = $"Backup {row.Id} is {row.Status}; only available backups hold a complete set of objects.",
            };
        }
        try
        {
            var chain = new BackupRestorer(_engine).LoadChain(row);
            var outcome = ChainVerifier.Run(chain, deep, _engine.Config.TempDirectory, _engine.Config.BackupWorkers, progress, cancel);
            return new BackupVerifyResult
            {
                BackupId = row.Id, Name = row.DisplayName, Mode = mode, IsValid = true,
                ChainLength = outcome.Backups, ObjectsChecked = outcome.Objects, BytesChecked = outcome.BytesChecked,
            };
        }
        catch (CinderBackupException e) when (e.Kind is ErrorKind.InvalidData or ErrorKind.NotFound or ErrorKind.InvalidArgument or ErrorKind.IOError)
        {
            return new BackupVerifyResult
            {
                BackupId = row.Id, Name = row.DisplayName, Mode = mode, IsValid = false, Problem = e.Message,
                FailedObject = e.Target as string,
            };
        }
    }

    /// <summary>Exports the record Cinder's `backup record export` prints (admin only).</summary>
    public BackupRecord Export(string nameOrId)
    {
        Policy.RequireAdmin(Context, "backup:export-import");
        var row = _engine.Catalog.Read(db => Lookup.Backup(db, Context, nameOrId));
        if (row.Status != BackupStatus.Available)
        {
            throw new CinderBackupException(ErrorIds.BackupInvalidState, ErrorKind.InvalidState,
                $"Invalid backup: Backup status must be available and not {row.Status}.", row.Id);
        }
        // Cinder's manager check: the backup's repository is configured with the driver that wrote it.
        new RepositoryResolver(_engine.Config).ForBackup(row);
        return new BackupRecord
        {
            BackupService = row.Service ?? "",
            BackupUrl = BackupRecordCodec.Encode(row),
            BackupId = row.Id,
            Name = row.DisplayName,
        };
    }

    /// <summary>Decodes a backup_url just enough to name the backup it describes (for confirmations and display).</summary>
    public static BackupRecord Peek(string backupService, string backupUrl)
    {
        var fields = BackupRecordCodec.Decode(backupUrl);
        string? Str(string key) => fields.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new BackupRecord { BackupService = backupService, BackupUrl = backupUrl, BackupId = Str("id"), Name = Str("display_name") };
    }

    /// <summary>
    /// Imports a record (admin only): Cinder's validation and messages (cinder-reference.md §5.2). The backup
    /// keeps the record's id and volume id and becomes available in the caller's project; a soft-deleted backup
    /// with that id is revived. It goes to <paramref name="repository"/>, else to the first configured repository
    /// (the default first) whose driver matches the record's backup_service.
    /// </summary>
    public VolumeBackup Import(string backupService, string backupUrl, string? repository = null)
    {
        Policy.RequireAdmin(Context, "backup:export-import");
        if (backupService is null || backupService.Length > 255)
        {
            throw BackupRecordCodec.Invalid("backup_service must be a string of at most 255 characters.");
        }
        if (string.IsNullOrEmpty(backupUrl))
        {
            throw BackupRecordCodec.Invalid("Can't decode backup record.");
        }
        var fields = BackupRecordCodec.Decode(backupUrl);
        var resolver = new RepositoryResolver(_engine.Config);
        var candidates = repository is null ? resolver.Definitions : new[] { resolver.Definition(repository) };
        var target = candidates.FirstOrDefault(r => r.ServiceName.StartsWith(backupService, StringComparison.Ordinal))
            ?? throw new CinderBackupException(ErrorIds.RecordInvalid, ErrorKind.InvalidArgument,
                $"Import record failed, cannot find backup service to perform the import. Request service {backupService}." +
                (repository is null ? "" : $" (repository '{repository}' uses {candidates[0].ServiceName})"), backupService);
        var store = resolver.Open(target.Name);
        var row = ImportedRow(fields, store);
        return _engine.Catalog.Write(db =>
        {
            var existing = BackupRecords.Get(db, row.Id, includeDeleted: true);
            if (existing is not null && !existing.Deleted)
            {
                throw new CinderBackupException(ErrorIds.BackupExists, ErrorKind.Conflict,
                    "Invalid backup: Backup already exists in database.", row.Id);
            }
            var quota = new QuotaEngine(_engine);
            var reservation = quota.ReserveBackup(db, Context.ProjectName, row.Size ?? 0);
            BackupRecords.Insert(db, row);
            quota.Commit(db, reservation);
            EventLog.Write(_engine, "backup.import.end", row);
            return BackupRecords.Get(db, row.Id)!.ToModel();
        });
    }

    private BackupRow ImportedRow(JsonElement f, IObjectStore store)
    {
        if (!f.TryGetProperty("id", out var idElement) || idElement.ValueKind == JsonValueKind.Null)
        {
            throw BackupRecordCodec.Invalid("Provided backup record is missing an id");
        }
        if (!f.TryGetProperty("size", out _))
        {
            throw BackupRecordCodec.Invalid("Provided backup record is missing size attribute");
        }
        var required = new[] { "container", "display_description", "display_name", "id", "object_count", "service_metadata", "size" };
        var missing = required.Where(k => !f.TryGetProperty(k, out _)).ToList();
        if (missing.Count > 0)
        {
            throw new CinderBackupException(ErrorIds.RecordInvalid, ErrorKind.InvalidArgument,
                $"Invalid backup: Driver successfully decoded imported backup data, but there are missing fields ({string.Join(", ", missing)}).", idElement.ToString());
        }
        string? Str(string key) => f.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        int? Int(string key) => f.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n)
            ? (int)Math.Clamp(n, int.MinValue, int.MaxValue) : null;
        DateTime? Time(string key) => Str(key) is string s && DateTime.TryParse(s, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;

        var id = Str("id") ?? throw BackupRecordCodec.Invalid("Provided backup record is missing an id");
        if (!Guid.TryParse(id, out _))
        {
            throw BackupRecordCodec.Invalid($"Provided backup record has an id that is not a UUID: '{ContextResolver.Printable(id)}'.");
        }
        var size = Int("size");
        if (size is null or < 0 or > VolumeApi.MaxSizeGiB)
        {
            throw BackupRecordCodec.Invalid($"Provided backup record has an invalid size: {f.GetProperty("size")}.");
        }
        var container = Str("container");
        var prefix = Str("service_metadata");
        if (container is not null)
        {
            store.ValidateContainer(container);
        }
        if (prefix is not null && (prefix.Contains('/') && store.Driver != "s3" || prefix.Contains("..") || prefix.Any(char.IsControl)))
        {
            throw BackupRecordCodec.Invalid($"Provided backup record has an object prefix that escapes its container: '{ContextResolver.Printable(prefix)}'.");
        }
        var now = Clock.UtcNow;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (f.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in m.EnumerateObject())
            {
                metadata[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
        }
        var name = Str("display_name");
        var description = Str("display_description");
        VolumeApi.ValidateText(name, "display_name", allowControl: true);
        VolumeApi.ValidateText(description, "display_description", allowControl: true);
        return new BackupRow
        {
            Id = id,
            UserId = Context.UserName,
            ProjectId = Context.ProjectName,
            VolumeId = Str("volume_id") ?? "00000000-0000-0000-0000-000000000000",
            Host = _engine.Config.Host,
            AvailabilityZone = _engine.Config.AvailabilityZone,
            Container = container,
            ParentId = Str("parent_id"),
            Status = BackupStatus.Available,
            Size = size,
            DisplayName = name,
            DisplayDescription = description,
            ServiceMetadata = prefix,
            Service = store.ServiceName,
            ObjectCount = Int("object_count") ?? 0,
            TempVolumeId = Str("temp_volume_id"),
            TempSnapshotId = Str("temp_snapshot_id"),
            NumDependentBackups = Int("num_dependent_backups") ?? 0,
            SnapshotId = Str("snapshot_id"),
            DataTimestamp = Time("data_timestamp"),
            EncryptionKeyId = Str("encryption_key_id"),
            CreatedAt = Time("created_at") ?? now,
            UpdatedAt = Time("updated_at") ?? now,
            Repository = store.Repository,
            Driver = store.Driver,
            Metadata = metadata,
        };
    }
}
