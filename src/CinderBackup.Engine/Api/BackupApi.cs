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
        IProgress<TransferProgress>? progress = null, CancellationToken cancel = default)
    {
        var restorer = new BackupRestorer(_engine);
        var prepared = restorer.Prepare(backup, volume, name, availabilityZone);
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
