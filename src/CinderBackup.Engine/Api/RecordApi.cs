using System.Globalization;
using System.Text.Json;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Logging;
using CinderBackup.Engine.Operations;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.Restore;
using CinderBackup.Engine.Rules;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Api;

/// <summary>
/// Protecting backups from the loss of the catalog: record export (with the parents an incremental needs), record
/// files, import of record sets (parents first, all or nothing), and discovery of records from a repository alone.
/// Everything here is admin-only, as Cinder's <c>backup:export-import</c> (export; discovery reads like it) and
/// <c>backup:backup-import</c> policies are.
/// </summary>
public sealed class RecordApi
{
    private const string ExportPolicy = "backup:export-import";
    private const string ImportPolicy = "backup:backup-import";
    private readonly BackupEngine _engine;

    internal RecordApi(BackupEngine engine) => _engine = engine;

    private BackupContext Context => _engine.Context;

    /// <summary>
    /// The record of a backup; with <paramref name="includeParents"/>, the records of every backup its restore needs,
    /// the full backup first and the requested one last.
    /// </summary>
    public IReadOnlyList<BackupRecord> Export(string nameOrId, bool includeParents = false)
    {
        Policy.RequireAdmin(Context, ExportPolicy);
        var row = _engine.Catalog.Read(db => Lookup.Backup(db, Context, nameOrId));
        var chain = new List<BackupRow> { row };
        if (includeParents)
        {
            _engine.Catalog.Read(db =>
            {
                for (var current = row; current.ParentId is string parentId;)
                {
                    if (chain.Any(r => r.Id == parentId))
                    {
                        throw new CinderBackupException(ErrorIds.BackupChainBroken, ErrorKind.InvalidData,
                            $"Backup {row.Id}: its parent chain loops at {parentId}.", parentId);
                    }
                    current = BackupTable.Get(db, parentId) ?? throw new CinderBackupException(ErrorIds.BackupChainBroken, ErrorKind.NotFound,
                        $"Backup {parentId} could not be found. Backup {current.Id} is an incremental backup and needs it, so its record cannot be exported with backup {row.Id}.", parentId);
                    chain.Add(current);
                }
                return 0;
            });
        }
        var resolver = new RepositoryResolver(_engine.Config);
        var records = new List<BackupRecord>();
        foreach (var r in Enumerable.Reverse(chain))
        {
            if (r.Status != BackupStatus.Available)
            {
                throw new CinderBackupException(ErrorIds.BackupInvalidState, ErrorKind.InvalidState,
                    $"Invalid backup: Backup status must be available and not {r.Status}." + (r.Id == row.Id ? "" : $" (backup {r.Id}, a parent of {row.Id})"), r.Id);
            }
            // Cinder's manager check: the backup's repository is configured with the driver that wrote it.
            resolver.ForBackup(r);
            records.Add(ToRecord(r, BackupRecordCodec.Encode(r), inCatalog: true));
        }
        return records;
    }

    /// <summary>The YAML text of records: what <c>openstack volume backup record export -f yaml</c> prints, documents separated by <c>---</c>.</summary>
    public static string FormatYaml(IEnumerable<BackupRecord> records) => RecordFile.Format(records);

    /// <summary>Writes records to a YAML file (atomically, mode 0600); see <see cref="FormatYaml"/>.</summary>
    public static void WriteFile(string path, IReadOnlyList<BackupRecord> records, bool noClobber = false, bool force = false)
    {
        if (records.Count == 0)
        {
            throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument, $"No records to write to '{path}'.", path);
        }
        RecordFile.Write(path, records, noClobber, force);
    }

    /// <summary>Reads the records of a YAML file (strictly: anything but backup_service and backup_url is an error naming the line).</summary>
    public static IReadOnlyList<BackupRecord> ReadFile(string path) => RecordFile.Read(path);

    /// <summary>Parses record YAML text; <paramref name="origin"/> names it in errors.</summary>
    public static IReadOnlyList<BackupRecord> ParseYaml(string text, string origin) => RecordFile.Parse(text, origin);

    /// <summary>Decodes a backup_url enough to describe the backup it holds (for confirmations and display).</summary>
    public static BackupRecord Describe(BackupRecord record)
    {
        var f = BackupRecordCodec.Decode(record.BackupUrl);
        string? Str(string key) => f.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        int? Int(string key) => f.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;
        return new BackupRecord
        {
            BackupService = record.BackupService,
            BackupUrl = record.BackupUrl,
            BackupId = Str("id"),
            Name = Str("display_name"),
            Description = Str("display_description"),
            VolumeId = Str("volume_id"),
            ParentId = Str("parent_id"),
            Size = Int("size"),
            ObjectCount = Int("object_count"),
            CreatedAtUtc = Str("created_at") is string t ? DocumentHeader.ParseTime(t) : null,
            Container = Str("container"),
            Repository = record.Repository,
            Source = record.Source,
        };
    }

    /// <summary>
    /// Imports a set of records, all or nothing: each is checked with Cinder's validation and messages
    /// (cinder-reference.md §5.2) and, with <paramref name="verify"/>, against the repository; then all are written in
    /// one catalog transaction, parents before the incrementals that need them whatever the input order. Identical
    /// duplicates are imported once. A record goes to <paramref name="repository"/>, else to its own
    /// <see cref="BackupRecord.Repository"/>, else to the first configured repository whose driver matches its
    /// backup_service. An incremental whose parent is in neither the set nor the catalog is imported with a warning.
    /// </summary>
    public RecordImportResult Import(IReadOnlyList<BackupRecord> records, string? repository = null, bool verify = false)
    {
        Policy.RequireAdmin(Context, ImportPolicy);
        if (records.Count == 0)
        {
            return new RecordImportResult();
        }
        var resolver = new RepositoryResolver(_engine.Config);
        var rows = new List<(BackupRow Row, BackupRecord Record)>();
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            BackupRow row;
            try
            {
                row = Validate(record, repository, resolver, verify);
            }
            catch (CinderBackupException e)
            {
                throw InRecord(record, i, records.Count, e);
            }
            var same = rows.FindIndex(r => r.Row.Id == row.Id);
            if (same >= 0)
            {
                if (rows[same].Record.BackupUrl != record.BackupUrl)
                {
                    throw InRecord(record, i, records.Count, new CinderBackupException(ErrorIds.RecordInvalid, ErrorKind.InvalidArgument,
                        $"Invalid input received: two different records describe backup {row.Id} (the other: {rows[same].Record.Source ?? $"record {same + 1}"}).", row.Id));
                }
                continue;
            }
            rows.Add((row, record));
        }
        var ordered = ParentsFirst(rows);
        var warnings = new List<string>();
        var imported = _engine.Catalog.Write(db =>
        {
            var quota = new QuotaEngine(_engine.Config);
            var result = new List<BackupRow>();
            foreach (var (row, record) in ordered)
            {
                var existing = BackupTable.GetByUuid(db, row.Id, includeDeleted: true);
                if (existing is not null && !existing.Deleted)
                {
                    throw InRecord(record, records.ToList().IndexOf(record), records.Count, new CinderBackupException(ErrorIds.BackupExists, ErrorKind.Conflict,
                        "Invalid backup: Backup already exists in database.", row.Id));
                }
                if (ObjectClaims.Claimant(db, resolver, row.Id, row.Repository, row.Container, row.ServiceMetadata) is string owner)
                {
                    throw InRecord(record, records.ToList().IndexOf(record), records.Count, new CinderBackupException(ErrorIds.RecordInvalid, ErrorKind.Conflict,
                        $"Invalid backup: the objects of backup {row.Id} (repository '{row.Repository}', container '{row.Container}', prefix '{row.ServiceMetadata}') belong to backup {owner}, which is in the catalog; as two rows, deleting either would delete the other's data.", row.Id));
                }
                var reservation = quota.ReserveBackup(db, Context.ProjectName, row.Size ?? 0);
                BackupTable.Insert(db, row);
                quota.Commit(db, reservation);
                result.Add(row);
                FaultPoints.Hit("record.import.inserted");
            }
            foreach (var (row, _) in ordered)
            {
                if (row.ParentId is string parentId && BackupTable.GetByUuid(db, parentId) is null)
                {
                    warnings.Add($"Backup {row.Id} is an incremental backup and its parent {parentId} is not in the catalog: import the record of backup {parentId} (and of its own parents) before restoring {row.Id}.");
                }
            }
            return result.Select(r => BackupTable.Get(db, r.Id)!).ToList();
        });
        FaultPoints.Hit("record.import.committed");
        foreach (var row in imported)
        {
            EventLog.Write(_engine.Config, "backup.import.end", row);
        }
        return new RecordImportResult { Backups = imported.Select(r => r.ToModel()).ToList(), Warnings = warnings };
    }

    /// <summary>
    /// Scans a configured repository (default: the default one; optionally one container and those under it) for
    /// backups, rebuilding the record of each complete one from its <c>_metadata</c> document. Incomplete, damaged and
    /// unreadable backups are reported with the reason and no record. Nothing is changed.
    /// </summary>
    public IReadOnlyList<DiscoveredBackup> Discover(string? repository = null, string? container = null)
    {
        Policy.RequireAdmin(Context, ExportPolicy);
        var resolver = new RepositoryResolver(_engine.Config);
        var name = string.IsNullOrEmpty(repository) ? resolver.DefaultRepositoryName : repository;
        var store = resolver.Open(name);
        var found = new List<DiscoveredRow>();
        foreach (var f in store.Discover(container))
        {
            _engine.Detail($"Discovery: backup {f.Item.BackupId} in container '{f.Item.Container}': {f.Item.Status}{(f.Item.Problem is null ? "" : $" ({f.Item.Problem})")}.");
            found.Add(f);
        }
        // Cinder copies num_dependent_backups from a record; here it is counted among the backups found.
        var dependents = found.Where(f => f.Row?.ParentId is not null).GroupBy(f => f.Row!.ParentId!).ToDictionary(g => g.Key, g => g.Count());
        var ids = found.Where(f => f.Row is not null).Select(f => f.Row!.Id).ToList();
        var inCatalog = _engine.Catalog.Read(db => ids.Where(id => BackupTable.Get(db, id) is not null).ToHashSet(StringComparer.Ordinal));
        var looping = LoopingParents(found.Where(f => f.Row is not null).Select(f => f.Row!).ToList());
        return found.Select(f =>
        {
            if (f.Row is null)
            {
                return f.Item;
            }
            f.Row.NumDependentBackups = dependents.GetValueOrDefault(f.Row.Id);
            var record = ToRecord(f.Row, BackupRecordCodec.Encode(f.Row), inCatalog.Contains(f.Row.Id),
                $"repository '{name}', container '{f.Item.Container}', object '{f.Item.Prefix}_metadata'");
            // A damaged _metadata that still parses must not sink the import of the others: it is checked here as the
            // import would check it, and reported instead of offered.
            var problem = looping.Contains(f.Row.Id)
                ? $"its parent_id {f.Row.ParentId} leads back to itself"
                : record.InCatalog ? null : ImportProblem(record, name, resolver);
            if (problem is not null)
            {
                return new DiscoveredBackup
                {
                    BackupId = f.Item.BackupId, Repository = f.Item.Repository, Container = f.Item.Container, Prefix = f.Item.Prefix,
                    Status = DiscoveryStatus.Damaged, ObjectsFound = f.Item.ObjectsFound,
                    Problem = $"Backup {f.Row.Id}: '{f.Item.Prefix}_metadata' in container '{f.Item.Container}' of repository '{name}' cannot be imported: {problem}",
                };
            }
            return new DiscoveredBackup
            {
                BackupId = f.Item.BackupId, Repository = f.Item.Repository, Container = f.Item.Container, Prefix = f.Item.Prefix,
                Status = f.Item.Status, ObjectsFound = f.Item.ObjectsFound, Record = record,
            };
        }).ToList();
    }

    /// <summary>Why import would refuse a discovered record, or null.</summary>
    private string? ImportProblem(BackupRecord record, string repository, RepositoryResolver resolver)
    {
        try
        {
            Validate(record, repository, resolver, verify: false);
            return null;
        }
        catch (CinderBackupException e)
        {
            return e.Message;
        }
    }

    /// <summary>The ids of discovered backups whose parent links, followed among the discovered ones, come back round.</summary>
    private static HashSet<string> LoopingParents(IReadOnlyList<BackupRow> rows)
    {
        var byId = new Dictionary<string, BackupRow>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in rows)
        {
            byId.TryAdd(r.Id, r);
        }
        var looping = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var start in rows)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var current = start; current.ParentId is string p && byId.TryGetValue(p, out var parent); current = parent)
            {
                if (!seen.Add(current.Id))
                {
                    break;
                }
                if (string.Equals(parent.Id, start.Id, StringComparison.OrdinalIgnoreCase))
                {
                    looping.Add(start.Id);
                    break;
                }
            }
        }
        return looping;
    }

    private static BackupRecord ToRecord(BackupRow r, string url, bool inCatalog, string? source = null) => new()
    {
        BackupService = r.Service ?? "",
        BackupUrl = url,
        BackupId = r.Id,
        Name = r.DisplayName,
        Description = r.DisplayDescription,
        VolumeId = r.VolumeId,
        ParentId = r.ParentId,
        Size = r.Size,
        ObjectCount = r.ObjectCount,
        CreatedAtUtc = r.CreatedAt,
        Container = r.Container,
        Repository = r.Repository,
        Source = source,
        InCatalog = inCatalog,
    };

    /// <summary>
    /// In a set, or for a record read from a file, an error names the record it is about; an error without a target of
    /// its own (the record's content is at fault) targets the record file, else the record.
    /// </summary>
    private static CinderBackupException InRecord(BackupRecord record, int index, int count, CinderBackupException e) =>
        record.Source is null && count <= 1
            ? e.Target is null ? new CinderBackupException(e.ErrorId, e.Kind, e.Message, record, e) : e
            : new CinderBackupException(e.ErrorId, e.Kind, $"{record.Source ?? $"record {index + 1} of {count}"}: {e.Message}",
                e.Target ?? (object?)record.Source ?? record, e);

    /// <summary>Orders rows so each parent in the set comes before its incrementals; a loop is an error.</summary>
    private static List<(BackupRow Row, BackupRecord Record)> ParentsFirst(List<(BackupRow Row, BackupRecord Record)> rows)
    {
        var byId = rows.ToDictionary(r => r.Row.Id, StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<(BackupRow, BackupRecord)>();
        foreach (var start in rows)
        {
            var path = new List<(BackupRow Row, BackupRecord Record)>();
            for (var current = start; !done.Contains(current.Row.Id);)
            {
                if (path.Any(p => p.Row.Id == current.Row.Id))
                {
                    throw new CinderBackupException(ErrorIds.RecordInvalid, ErrorKind.InvalidArgument,
                        $"Invalid input received: the records' parent links loop at backup {current.Row.Id}.", current.Row.Id);
                }
                path.Add(current);
                if (current.Row.ParentId is not string p || !byId.TryGetValue(p, out var parent))
                {
                    break;
                }
                current = parent;
            }
            for (var i = path.Count - 1; i >= 0; i--)
            {
                if (done.Add(path[i].Row.Id))
                {
                    ordered.Add(path[i]);
                }
            }
        }
        return ordered;
    }

    /// <summary>Cinder's API and manager checks, and ours (container and prefix inside the repository, -Verify).</summary>
    private BackupRow Validate(BackupRecord record, string? repository, RepositoryResolver resolver, bool verify)
    {
        var backupService = record.BackupService;
        var backupUrl = record.BackupUrl;
        if (backupService is null || backupService.Length > 255)
        {
            throw BackupRecordCodec.Invalid("backup_service must be a string of at most 255 characters.");
        }
        if (string.IsNullOrEmpty(backupUrl))
        {
            throw BackupRecordCodec.Invalid("Can't decode backup record.");
        }
        var fields = BackupRecordCodec.Decode(backupUrl);
        var wanted = string.IsNullOrEmpty(repository) ? record.Repository : repository;
        var candidates = string.IsNullOrEmpty(wanted) ? resolver.Definitions : new[] { resolver.Definition(wanted) };
        var target = candidates.FirstOrDefault(r => r.ServiceName.StartsWith(backupService, StringComparison.Ordinal))
            ?? throw new CinderBackupException(ErrorIds.RecordInvalid, ErrorKind.InvalidArgument,
                $"Import record failed, cannot find backup service to perform the import. Request service {backupService}." +
                (string.IsNullOrEmpty(wanted) ? "" : $" (repository '{wanted}' uses {candidates[0].ServiceName})"), backupService);
        var store = resolver.Open(target.Name);
        var row = ImportedRow(fields, store);
        if (store.Driver == "ceph" && row.ServiceMetadata is null && row.Container is not null)
        {
            // Cinder's Ceph driver records no service_metadata for a non-RBD source: its image is found by its name.
            row.ServiceMetadata = store.FindPrefix(row.Container, row.VolumeId, row.Id);
        }
        if (row.Container is not null)
        {
            // The repository it is imported into, as its marker names it now (none is written by an import).
            row.RepositoryId = resolver.Identity(store, row.Container);
            row.RepositoryLocation = store.MarkerLocation(row.Container);
        }
        if (verify)
        {
            var objects = store.CheckImported(row);
            _engine.Detail($"Import: backup {row.Id} verified in repository '{store.Repository}': _metadata and {objects} objects present.");
        }
        return row;
    }

    private BackupRow ImportedRow(JsonElement f, IBackupRepository store)
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
        DateTime? Time(string key) => Str(key) is string s && DateTime.TryParse(s, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null;

        // Ids are taken as Cinder takes them (case, braces and hyphens aside) and kept in one spelling, so the same
        // backup can never become two rows.
        var rawId = Str("id") ?? throw BackupRecordCodec.Invalid("Provided backup record is missing an id");
        var id = CinderUuid.Normalize(rawId)
            ?? throw BackupRecordCodec.Invalid($"Provided backup record has an id that is not a UUID: '{PrintableText.Brief(rawId)}'.");
        var size = Int("size");
        if (size is null or < 0 or > VolumeApi.MaxSizeGiB)
        {
            // The raw JSON, so a size given as text shows its quotes.
            throw BackupRecordCodec.Invalid($"Provided backup record has an invalid size: {f.GetProperty("size").GetRawText()}.");
        }
        var objectCount = Int("object_count");
        if (objectCount is < 0 or int.MaxValue)
        {
            throw BackupRecordCodec.Invalid($"Provided backup record has an invalid object_count: {f.GetProperty("object_count").GetRawText()}.");
        }
        var rawParentId = Str("parent_id");
        var parentId = CinderUuid.Normalize(rawParentId);
        if (rawParentId is not null && parentId is null)
        {
            throw BackupRecordCodec.Invalid($"Provided backup record has a parent_id that is not a UUID: '{PrintableText.Brief(rawParentId)}'.");
        }
        // Cinder's volume_id is a UUID field; anything else is not a record Cinder wrote.
        var rawVolumeId = Str("volume_id");
        var volumeId = CinderUuid.Normalize(rawVolumeId);
        if (rawVolumeId is not null && volumeId is null)
        {
            throw BackupRecordCodec.Invalid($"Provided backup record has a volume_id that is not a UUID: '{PrintableText.Brief(rawVolumeId)}'.");
        }
        var container = Str("container");
        var prefix = Str("service_metadata");
        if (container is not null)
        {
            store.ValidateContainer(container);
        }
        if (prefix is not null && store.PrefixEscapes(prefix))
        {
            throw BackupRecordCodec.Invalid($"Provided backup record has an object prefix that escapes its container: '{PrintableText.Brief(prefix)}'.");
        }
        // A Ceph backup's service_metadata names a base image many backups share; its delete removes only what carries its id.
        if (store.Driver != "ceph" && !ObjectClaims.IsBound(prefix, id))
        {
            // Delete removes every object whose name starts with the prefix: an empty one, or one of another backup,
            // would make this record own (and its delete remove) objects that are not its own.
            throw BackupRecordCodec.Invalid($"Provided backup record has an object prefix (service_metadata) '{PrintableText.Brief(prefix ?? "")}' that is not bound to its id: a backup's prefix ends in _backup_{id}.");
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
        InputRules.ValidateText(name, "display_name", allowControl: true);
        InputRules.ValidateText(description, "display_description", allowControl: true);
        return new BackupRow
        {
            Id = id,
            UserId = Context.UserName,
            ProjectId = Context.ProjectName,
            VolumeId = volumeId ?? "00000000-0000-0000-0000-000000000000",
            Host = _engine.Config.Host,
            AvailabilityZone = _engine.Config.AvailabilityZone,
            Container = container,
            ParentId = parentId,
            Status = BackupStatus.Available,
            Size = size,
            DisplayName = name,
            DisplayDescription = description,
            ServiceMetadata = prefix,
            Service = store.ServiceName,
            ObjectCount = objectCount ?? 0,
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
