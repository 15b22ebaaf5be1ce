using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Logging;
using CinderBackup.Engine.Operations;
using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.Restore;
using CinderBackup.Engine.Rules;
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
        var creator = new BackupCreator(_engine.Session, options);
        var row = creator.Prepare();
        return creator.Execute(row);
    }

    /// <summary>
    /// The first half of <see cref="Create"/>: checks, quota, statuses, and the backup row in "creating".
    /// <see cref="RunCreate"/> then does the work, in this process or in a detached worker.
    /// </summary>
    public VolumeBackup StartCreate(BackupCreateOptions options) => new BackupCreator(_engine.Session, options).Prepare().ToModel();

    /// <summary>
    /// Runs a backup prepared by <see cref="StartCreate"/>, taking over its ownership: in the process that prepared it, or
    /// in a worker holding the <paramref name="claimToken"/> that process handed it (<see cref="HandOff"/>).
    /// </summary>
    /// <remarks>The compression is the one <see cref="StartCreate"/> recorded on the row.</remarks>
    public VolumeBackup RunCreate(string backupId, IProgress<TransferProgress>? progress = null, CancellationToken cancel = default, string? claimToken = null)
    {
        var row = TakeOver(backupId, "create", BackupStatus.Creating, claimToken);
        return ClaimedOperation.Create(_engine.Session, row, progress, cancel);
    }

    /// <summary>The first half of <see cref="Restore"/>: checks, the target (a new volume when none is given), statuses.</summary>
    public BackupRestoreResult StartRestore(string backup, string? volume = null, string? name = null, string? availabilityZone = null, int? sizeGiB = null,
        string? volumeType = null)
    {
        var p = new BackupRestorer(_engine.Session).Prepare(backup, volume, name, availabilityZone, sizeGiB, volumeType: volumeType);
        return new BackupRestoreResult { BackupId = p.Backup.Id, VolumeId = p.Volume.Id, VolumeName = p.Volume.Name };
    }

    /// <summary>Runs a restore prepared by <see cref="StartRestore"/>, taking over its ownership (see <see cref="RunCreate"/>).</summary>
    public BackupRestoreResult RunRestore(string backupId, IProgress<TransferProgress>? progress = null, CancellationToken cancel = default, string? claimToken = null)
    {
        var row = TakeOver(backupId, "restore", BackupStatus.Restoring, claimToken);
        return ClaimedOperation.Restore(_engine.Session, row, progress, cancel);
    }

    /// <summary>
    /// Hands the operation this process prepared on <paramref name="backupId"/> (<see cref="StartCreate"/>,
    /// <see cref="StartRestore"/>) to the backup services of the backup's availability zone, when one that can reach the
    /// volume is up (`service run`): the operation is queued in the catalog and the first such service to ask takes it.
    /// False, with nothing changed, when none is up: run it here or in a worker, as on one machine.
    /// </summary>
    public bool Enqueue(string backupId)
    {
        var owner = OperationOwner.Current(_engine.Config.Host);
        return _engine.Catalog.Write(db => BackupTable.Get(db, backupId) is { } row && row.ProjectId == Context.ProjectName &&
            OperationClaims.Enqueue(db, backupId, owner, row.AvailabilityZone ?? _engine.Config.AvailabilityZone,
                ServiceRegistry.UpSince(_engine.Config.ServiceDownTimeSeconds), ServiceRegistry.Binary));
    }

    /// <summary>
    /// Waits for a queued create (<see cref="Enqueue"/>) to end, as <see cref="RunCreate"/> would have: the backup when it
    /// is available, an error with its fail_reason when it failed.
    /// </summary>
    public VolumeBackup WaitCreate(string backupId, CancellationToken cancel = default)
    {
        var b = Wait(backupId, null, cancel);
        return b.Status == BackupStatus.Available
            ? b
            : throw new CinderBackupException(ErrorIds.BackupFailed, ErrorKind.IOError, $"Backup {backupId} failed: {b.FailReason ?? b.Status}", backupId);
    }

    /// <summary>Waits for a queued restore (<see cref="Enqueue"/>) to end: its result when the volume is available, else an error.</summary>
    public BackupRestoreResult WaitRestore(string backupId, string volumeId, CancellationToken cancel = default)
    {
        var b = Wait(backupId, null, cancel);
        var volume = _engine.Catalog.Read(db => VolumeTable.Get(db, volumeId));
        if (volume is not { Status: Volumes.VolumeStatus.Available or Volumes.VolumeStatus.InUse })
        {
            throw new CinderBackupException(ErrorIds.RestoreFailed, ErrorKind.IOError,
                $"Restore of backup {backupId} to volume {volumeId} failed: {b.FailReason ?? volume?.Status ?? "the volume is gone"}", backupId);
        }
        return new BackupRestoreResult { BackupId = backupId, VolumeId = volumeId, VolumeName = volume.Name, BytesRestored = volume.SizeBytes };
    }

    /// <summary>
    /// Hands the operation this process prepared on <paramref name="backupId"/> (<see cref="StartCreate"/>,
    /// <see cref="StartRestore"/>) to another process: returns the claim token that process passes to
    /// <see cref="RunCreate"/> or <see cref="RunRestore"/>. A token is good once, and only while this process still owns
    /// the operation; keep it secret (the catalog holds only its SHA-256).
    /// </summary>
    public string HandOff(string backupId)
    {
        var token = _engine.Catalog.Write(db => OperationClaims.Offer(db, backupId, Context.ProjectName, OperationOwner.Current(_engine.Config.Host)));
        return token ?? throw new CinderBackupException(ErrorIds.ClaimRefused, ErrorKind.PermissionDenied,
            $"Backup {backupId}: this process runs no operation on it to hand over; nothing was changed.", backupId);
    }

    /// <summary>
    /// Makes this process the owner of a prepared operation (so recovery knows it is alive), through the catalog's one
    /// claim (<see cref="OperationClaims"/>): with the token its owner handed over, or, without one, only if this process
    /// already owns it; always only in the caller's project. A refusal changes nothing.
    /// </summary>
    private BackupRow TakeOver(string backupId, string operation, string status, string? claimToken)
    {
        var owner = OperationOwner.Current(_engine.Config.Host);
        return _engine.Catalog.Write(db =>
        {
            var row = BackupTable.Get(db, backupId);
            if (row is null || row.ProjectId != Context.ProjectName)
            {
                // Another project's operation is never claimed, nor shown to exist.
                throw new CinderBackupException(ErrorIds.BackupNotFound, ErrorKind.NotFound, $"Backup {backupId} could not be found.", backupId);
            }
            if (row.Operation != operation || row.Status != status)
            {
                throw new CinderBackupException(ErrorIds.BackupInvalidState, ErrorKind.InvalidState,
                    $"Backup {backupId} has no {operation} operation waiting (status {row.Status}).", backupId);
            }
            var claim = claimToken is null
                ? new OperationClaim(backupId, operation) { ProjectId = Context.ProjectName, ByOwner = true, From = owner }
                : new OperationClaim(backupId, operation) { ProjectId = Context.ProjectName, Token = claimToken };
            if (!OperationClaims.Claim(db, claim, owner))
            {
                throw new CinderBackupException(ErrorIds.ClaimRefused, ErrorKind.PermissionDenied,
                    $"Backup {backupId}: its {operation} operation was not handed to this process " +
                    (claimToken is null ? "(no claim token)" : "(the claim token is wrong, or already used)") +
                    ", or another process runs it; nothing was changed.", backupId);
            }
            row.OwnerHost = owner.Host;
            row.OwnerPid = owner.Pid;
            row.OwnerStartedAt = owner.Since;
            return row;
        });
    }

    /// <summary>
    /// Ends a prepared operation that will not run (its worker could not start): the backup goes to error (a
    /// create) or back to available (a restore, whose volume goes to error_restoring), as after a crash. Only while this
    /// process still owns it: false, with nothing changed, when a worker claimed it meanwhile (it then runs).
    /// </summary>
    public bool Abandon(string backupId, string reason)
    {
        var owner = OperationOwner.Current(_engine.Config.Host);
        var mine = _engine.Catalog.Write(db => BackupTable.Get(db, backupId) is { Operation: string op } &&
            OperationClaims.Claim(db, new OperationClaim(backupId, op) { ProjectId = Context.ProjectName, ByOwner = true, From = owner }, owner));
        if (mine)
        {
            Recovery.Clean(_engine.Session, backupId, reason);
        }
        return mine;
    }

    /// <summary>The process that owns a backup's running operation, if any (for waiting on a hand-off).</summary>
    public int? OwnerProcess(string backupId) =>
        _engine.Catalog.Read(db => OperationClaims.OwnerPid(db, backupId));

    /// <summary>
    /// Waits until a backup leaves creating, restoring and deleting (or is deleted) and returns it as it then is.
    /// </summary>
    public VolumeBackup Wait(string nameOrId, TimeSpan? timeout = null, CancellationToken cancel = default)
    {
        var id = _engine.Catalog.Read(db => Lookup.Backup(db, Context, nameOrId)).Id;
        var deadline = timeout is TimeSpan t ? DateTime.UtcNow + t : DateTime.MaxValue;
        while (true)
        {
            var row = _engine.Catalog.Read(db => BackupTable.Get(db, id, includeDeleted: true))!;
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
    public VolumeBackup ResetState(string nameOrId, string status) => Set(nameOrId, new BackupChanges { State = status });

    /// <summary>Changes a backup's name, description or metadata (Cinder's backup update).</summary>
    public VolumeBackup Update(string nameOrId, string? name = null, string? description = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        Set(nameOrId, new BackupChanges { Name = name, Description = description, Metadata = metadata });

    /// <summary>
    /// One user action on a backup (<c>Set-VolumeBackup</c>, <c>volume backup set</c>): the update of name, description
    /// and metadata and the admin reset of the state are checked first and written in one catalog transaction, so a
    /// refusal of any part changes nothing. The state is checked as in <see cref="ResetState"/> (the admin policy, then
    /// Cinder's two statuses); removing the temporary snapshot of a backup set to error follows the commit.
    /// </summary>
    public VolumeBackup Set(string nameOrId, BackupChanges changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var state = changes.State is null ? null : CheckResetState(changes.State);
        InputRules.ValidateText(changes.Name, "name");
        InputRules.ValidateText(changes.Description, "description");
        InputRules.ValidateMetadata(changes.Metadata);
        var row = _engine.Catalog.Write(db =>
        {
            var b = Lookup.Backup(db, Context, nameOrId);
            if (state is not null)
            {
                EventLog.Write(_engine.Config, "backup.reset_status.start", b);
            }
            if (changes.Name is not null || changes.Description is not null || changes.Metadata is not null)
            {
                b.DisplayName = changes.Name ?? b.DisplayName;
                b.DisplayDescription = changes.Description ?? b.DisplayDescription;
                foreach (var (k, v) in changes.Metadata ?? new Dictionary<string, string>())
                {
                    b.Metadata[k] = v;
                }
                BackupTable.Update(db, b);
                BackupTable.SetMetadata(db, b.Id, b.Metadata);
            }
            if (state is not null)
            {
                BackupTable.SetStatus(db, b.Id, state);
            }
            return BackupTable.Get(db, b.Id)!;
        });
        if (state is not null)
        {
            if (state == BackupStatus.Error && row.TempSnapshotId is not null && row.Operation is null)
            {
                TemporarySnapshots.Delete(_engine.Session, row.TempSnapshotId);
            }
            EventLog.Write(_engine.Config, "backup.reset_status.end", row);
        }
        return row.ToModel();
    }

    /// <summary>
    /// Checks a reset-state request (the admin policy, then the status) without changing anything. Returns the status
    /// in lower case.
    /// </summary>
    public string CheckResetState(string status)
    {
        Policy.RequireAdmin(Context, "volume_extension:backup_admin_actions:reset_status");
        var lower = status?.ToLowerInvariant();
        if (lower is not (BackupStatus.Available or BackupStatus.Error))
        {
            throw new CinderBackupException(ErrorIds.BackupStatusInvalid, ErrorKind.InvalidArgument,
                $"Backup status: {status} is invalid, valid statuses are: ['available', 'error'].", status);
        }
        return lower;
    }

    public VolumeBackup Get(string nameOrId) => _engine.Catalog.Read(db => Lookup.Backup(db, Context, nameOrId)).ToModel();

    /// <summary>Backups of the caller's project (all projects for an admin who asks), newest first.</summary>
    public IReadOnlyList<VolumeBackup> List(bool allProjects = false, string? name = null, string? status = null, string? volume = null)
    {
        var project = Policy.ProjectFilter(Context, allProjects);
        return _engine.Catalog.Read(db =>
        {
            var volumeId = volume is null ? null : Lookup.Volume(db, Context, volume).Id;
            return BackupTable.List(db, project, volumeId, name)
                .Where(b => status is null || b.Status == status)
                .Select(b => b.ToModel())
                .ToList();
        });
    }

    public VolumeBackup Delete(string nameOrId, bool force = false) => new BackupDeleter(_engine.Session).Delete(nameOrId, force);

    /// <summary>
    /// The order in which to delete several backups so that each incremental goes before its parent, whatever the
    /// order given (Cinder refuses to delete a backup that has incrementals): deepest in its chain first, then newest
    /// first. Names that do not resolve keep their place at the front, so their error is reported and the rest done.
    /// Returns the given strings, reordered.
    /// </summary>
    public IReadOnlyList<string> DeleteOrder(IReadOnlyList<string> namesOrIds)
    {
        ArgumentNullException.ThrowIfNull(namesOrIds);
        return _engine.Catalog.Read(db =>
        {
            var unresolved = new List<string>();
            var resolved = new List<(string Item, int Depth, DateTime Created, int Index)>();
            for (var i = 0; i < namesOrIds.Count; i++)
            {
                BackupRow b;
                try
                {
                    b = Lookup.Backup(db, Context, namesOrIds[i]);
                }
                catch (CinderBackupException)
                {
                    unresolved.Add(namesOrIds[i]);
                    continue;
                }
                var depth = 0;
                var seen = new HashSet<string>(StringComparer.Ordinal) { b.Id };
                for (var parent = b.ParentId; parent is not null && seen.Add(parent); depth++)
                {
                    parent = BackupTable.Get(db, parent)?.ParentId;
                }
                resolved.Add((namesOrIds[i], depth, b.CreatedAt, i));
            }
            return unresolved.Concat(resolved
                .OrderByDescending(r => r.Depth).ThenByDescending(r => r.Created).ThenBy(r => r.Index)
                .Select(r => r.Item)).ToList();
        });
    }

    /// <summary>
    /// Applies a retention policy to the caller's backups (of one volume, or of each volume): keeps what
    /// <see cref="RetentionPolicy"/> selects and every parent of a kept backup, and deletes the other available backups
    /// newest first, so an incremental always goes before its parent. <paramref name="dryRun"/> deletes nothing.
    /// <paramref name="confirm"/> is asked before each removal (ShouldProcess); a declined or failed removal keeps that
    /// backup and its parents. Returns every backup considered, newest first, with what was done and why.
    /// </summary>
    public IReadOnlyList<RetentionDecision> Prune(RetentionPolicy policy, string? volume = null, bool dryRun = false,
        Func<RetentionDecision, bool>? confirm = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        var project = Policy.ProjectFilter(Context, false);
        var rows = _engine.Catalog.Read(db =>
            BackupTable.List(db, project, volume is null ? null : Lookup.Volume(db, Context, volume).Id));
        var plan = RetentionPlanner.Decide(rows, policy);
        var parents = plan.ToDictionary(p => p.Row.Id, p => p.Row.ParentId, StringComparer.Ordinal);
        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new List<RetentionDecision>();
        foreach (var p in plan)
        {
            string action;
            var reason = string.Join("; ", p.Reasons);
            if (p.Keep)
            {
                action = "keep";
            }
            else if (held.TryGetValue(p.Row.Id, out var why))
            {
                (action, reason) = ("keep", why);
            }
            else if (dryRun || confirm?.Invoke(Decision(p.Row, "remove", "not kept by the policy")) == false)
            {
                (action, reason) = dryRun ? ("remove", "not kept by the policy") : ("keep", "removal declined");
            }
            else
            {
                try
                {
                    new BackupDeleter(_engine.Session).Delete(p.Row.Id, force: false);
                    (action, reason) = ("removed", "not kept by the policy");
                }
                catch (CinderBackupException e)
                {
                    (action, reason) = ("failed", e.Message);
                }
            }
            if (action is "keep" or "failed" && !p.Keep)
            {
                // Its parents cannot go while it stays.
                for (var up = parents[p.Row.Id]; up is not null && parents.ContainsKey(up); up = parents[up])
                {
                    held.TryAdd(up, $"parent of {p.Row.Id}, which stays");
                }
            }
            result.Add(Decision(p.Row, action, reason));
        }
        return result;
    }

    private static RetentionDecision Decision(BackupRow row, string action, string reason) => new()
    {
        BackupId = row.Id, Name = row.DisplayName, VolumeId = row.VolumeId, Status = row.Status, ParentId = row.ParentId,
        CreatedAtUtc = row.CreatedAt, Action = action, Reason = reason,
    };

    /// <summary>
    /// Restores a backup to <paramref name="volume"/>, or to a new volume (named <paramref name="name"/>, else
    /// restore_backup_&lt;id&gt;, then renamed from the backup's volume metadata as Cinder does) of type
    /// <paramref name="volumeType"/> (default __DEFAULT__).
    /// </summary>
    public BackupRestoreResult Restore(string backup, string? volume = null, string? name = null, string? availabilityZone = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancel = default, int? sizeGiB = null, string? volumeType = null)
    {
        var restorer = new BackupRestorer(_engine.Session);
        var prepared = restorer.Prepare(backup, volume, name, availabilityZone, sizeGiB, volumeType: volumeType);
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
                BackupId = row.Id, Name = row.DisplayName, Mode = mode, IsValid = false, ErrorId = ErrorIds.BackupInvalidState,
                Problem = $"Backup {row.Id} is {row.Status}; only available backups hold a complete set of objects.",
            };
        }
        try
        {
            var chain = new BackupRestorer(_engine.Session).LoadChain(row, out var repository);
            var outcome = repository.Verify(chain, deep, _engine.Config.TempDirectory, _engine.Config.BackupWorkers, progress, cancel,
                TransferDefaults.ObjectsInFlight(_engine.Config, null));
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
                BackupId = row.Id, Name = row.DisplayName, Mode = mode, IsValid = false, Problem = e.Message, ErrorId = e.ErrorId,
                FailedObject = e.Target as string,
            };
        }
    }

    /// <summary>Exports the record Cinder's `backup record export` prints (admin only).</summary>
    public BackupRecord Export(string nameOrId) => _engine.Records.Export(nameOrId)[0];

    /// <summary>
    /// Imports one record (admin only) with Cinder's validation and messages (cinder-reference.md §5.2); see
    /// <see cref="RecordApi.Import"/>. The backup keeps the record's id and volume id and becomes available in the
    /// caller's project; a soft-deleted backup with that id is revived.
    /// </summary>
    public VolumeBackup Import(string backupService, string backupUrl, string? repository = null) =>
        _engine.Records.Import(new[] { new BackupRecord { BackupService = backupService, BackupUrl = backupUrl } }, repository).Backups[0];
}
