using CinderBackup.Engine.Backup;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Logging;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.Util;
using CinderBackup.Engine.Volumes;

namespace CinderBackup.Engine.Operations;

/// <summary>
/// Cinder's service start cleanup (manager.py:184, cinder-reference.md §6.1) for operations whose owner is
/// gone: a process on this host that no longer runs, or another host silent for longer than
/// service_down_time. The repository's commit point decides a create (<see cref="CommitPoint"/>): a backup whose
/// <c>_metadata</c> is complete and consistent finished and is adopted as available; one without is reset,
/// creating → error "incomplete backup reset on manager restart" (volume and snapshot back to their status, and —
/// beyond Cinder — the partial objects removed); one whose <c>_metadata</c> is there but damaged goes to error with
/// its objects kept. restoring → available with the target volume error_restoring; deleting → the delete resumes.
/// </summary>
internal static class Recovery
{
    public const string CreatingReason = "incomplete backup reset on manager restart";

    /// <summary>What one clean-up did to a backup.</summary>
    internal enum Outcome
    {
        None,
        Adopted,
        Reset,
        Kept,
        RestoreEnded,
        DeleteResumed,
        Released,
    }

    /// <summary>Cleans up after every owner that is gone; returns the ids of the backups it adopted as finished.</summary>
    public static IReadOnlyList<string> Run(EngineSession engine)
    {
        var adopted = new List<string>();
        foreach (var o in engine.Catalog.Read(OperationClaims.Running))
        {
            if (!IsGone(engine, o.Owner, o.Heartbeat))
            {
                continue;
            }
            // Claimed from exactly that owner, so that two processes starting together do not both clean it.
            var me = OperationOwner.Current(engine.Config.Host);
            var claimed = engine.Catalog.Write(db => OperationClaims.Claim(db, new OperationClaim(o.Id, o.Operation) { ByOwner = true, From = o.Owner }, me));
            if (!claimed)
            {
                continue;
            }
            engine.Detail($"Backup {o.Id}: its {o.Operation} operation's owner ({(o.Owner is null ? "none recorded" : $"pid {o.Owner.Pid} on {o.Owner.Host}")}) is gone; cleaning up as on a manager restart.");
            try
            {
                if (Clean(engine, o.Id, CreatingReason) == Outcome.Adopted)
                {
                    adopted.Add(o.Id);
                }
            }
            catch (CinderBackupException e) when (!e.ErrorId.StartsWith("Catalog", StringComparison.Ordinal))
            {
                // The repository cannot be read now (unmounted, unconfigured, unreachable): nothing can be decided, and
                // nothing is changed; the claim is given up, so the next process to start tries again.
                engine.Catalog.Write(db => OperationClaims.Unclaim(db, o.Id, me));
                engine.Detail($"Backup {o.Id}: left as it is for now: {e.Message}");
            }
        }
        FailStranded(engine);
        CatalogTempFiles.RemoveAbandoned(Path.GetDirectoryName(engine.Catalog.Path)!);
        return adopted;
    }

    /// <summary>
    /// Queued operations do not wait forever: when no enabled service of their zone that can reach their volume has
    /// been up for service_down_time, a queued backup goes to error with a reason naming the zone, and a queued restore
    /// ends as a failed restore does (the backup available, the volume error_restoring, as Cinder). Taken out of the
    /// queue by one conditional claim, so of the processes that run this at once exactly one ends each.
    /// </summary>
    private static void FailStranded(EngineSession engine)
    {
        var down = engine.Config.ServiceDownTimeSeconds;
        var upSince = ServiceRegistry.UpSince(down);
        foreach (var (id, operation, zone) in engine.Catalog.Read(db => OperationClaims.Stranded(db, ServiceRegistry.Binary, upSince)))
        {
            var me = OperationOwner.Current(engine.Config.Host);
            if (!engine.Catalog.Write(db => OperationClaims.ClaimStranded(db, id, me, ServiceRegistry.Binary, upSince)))
            {
                continue;
            }
            var verb = operation == "restore" ? "restoring" : "creating";
            var reason = $"Service not found for {verb} backup: no backup service of availability zone '{zone}' that can reach the volume " +
                         $"has been up for {down} s (service_down_time); the queued {operation} was ended.";
            engine.Detail($"Backup {id}: {reason}");
            var row = engine.Catalog.Read(db => BackupTable.Get(db, id));
            if (row?.Status == BackupStatus.Creating)
            {
                Fail(engine, row, reason); // it never ran: no object or staged file to remove
            }
            else
            {
                Clean(engine, id, reason);
            }
        }
    }

    /// <summary>Ends an operation nobody runs: adopted, or the transitions of a failure with <paramref name="reason"/>.</summary>
    internal static Outcome Clean(EngineSession engine, string id, string reason)
    {
        var row = engine.Catalog.Read(db => BackupTable.Get(db, id));
        if (row is null)
        {
            return Outcome.None;
        }
        switch (row.Status)
        {
            case BackupStatus.Creating:
                var point = CommitPoint.Find(engine, row);
                switch (point.Is)
                {
                    case CommitPoint.State.Complete:
                        return Adopt(engine, row, point) ? Outcome.Adopted : Outcome.None;
                    case CommitPoint.State.Damaged:
                        Fail(engine, row, $"backup found damaged on manager restart (its objects are kept: verify it, or delete it): {point.Problem}");
                        return Outcome.Kept;
                }
                var store = new RepositoryResolver(engine.Config).ForBackup(row);
                if (point.Prefix is not null)
                {
                    store.RemoveBackup(point.Container, point.Prefix, row.Id);
                }
                else
                {
                    store.RemoveStaged(point.Container, row.Id);
                }
                Fail(engine, row, reason);
                return Outcome.Reset;
            case BackupStatus.Restoring:
                engine.Catalog.Write(db =>
                {
                    BackupTable.SetStatus(db, id, BackupStatus.Available);
                    OperationClaims.Release(db, id);
                    if (row.RestoreVolumeId is not null)
                    {
                        VolumeTable.ConditionalStatus(db, row.RestoreVolumeId, new[] { VolumeStatus.RestoringBackup }, VolumeStatus.ErrorRestoring);
                    }
                    EventLog.Write(engine.Config, "backup.restore.error", BackupTable.Get(db, id)!, reason);
                });
                return Outcome.RestoreEnded;
            case BackupStatus.Deleting:
                new BackupDeleter(engine).Finish(row);
                return Outcome.DeleteResumed;
            default:
                engine.Catalog.Write(db => OperationClaims.Release(db, id));
                return Outcome.Released;
        }
    }

    /// <summary>The backup finished: the row becomes what the end of a backup makes it, from the repository's documents.</summary>
    private static bool Adopt(EngineSession engine, BackupRow row, CommitPoint point)
    {
        var adopted = engine.Catalog.Write(db =>
        {
            var current = BackupTable.Get(db, row.Id);
            if (current is null || current.Status != BackupStatus.Creating)
            {
                return null;
            }
            current.Container = point.Container;
            current.ServiceMetadata = point.Prefix;
            current.ObjectCount = point.ObjectCount;
            current.MetadataSha256 = point.MetadataSha256;
            current.Sha256FileSha256 = point.Sha256FileSha256;
            BackupCreator.RecordFinished(db, current, insert: false);
            EventLog.Write(engine.Config, "backup.create.end", current, "adopted on manager restart: its _metadata (the commit point) is complete");
            return current;
        });
        if (adopted is null)
        {
            return false;
        }
        engine.Detail($"Backup {row.Id}: its _metadata is complete, so it finished; adopted as available.");
        new RepositoryResolver(engine.Config).ForBackup(adopted).RemoveStaged(point.Container, row.Id);
        if (adopted.TempSnapshotId is not null)
        {
            TemporarySnapshots.Delete(engine, adopted.TempSnapshotId);
        }
        return true;
    }

    private static void Fail(EngineSession engine, BackupRow row, string reason)
    {
        engine.Catalog.Write(db =>
        {
            BackupTable.SetError(db, row.Id, reason.Length > 255 ? reason[..255] : reason);
            OperationClaims.Release(db, row.Id);
            BackupCreator.RestoreSource(db, row, failed: true);
            EventLog.Write(engine.Config, "backup.create.error", BackupTable.Get(db, row.Id)!, reason);
        });
        if (row.TempSnapshotId is not null)
        {
            TemporarySnapshots.Delete(engine, row.TempSnapshotId);
        }
    }

    /// <summary>True when the process that owned an operation cannot still be running it.</summary>
    internal static bool IsGone(EngineSession engine, OperationOwner? owner, DateTime? heartbeat)
    {
        if (owner is null || owner.Host.Length == 0 || owner.Pid == 0)
        {
            return true; // no complete owner recorded
        }
        if (owner.Host != engine.Config.Host)
        {
            // Another host: gone when the operation's heartbeat is stale and no backup service of that host is up. A
            // live service renews its own row on a thread of its own, so a peer busy with a long clean-up (which renews
            // no operation heartbeat) is not taken for dead and cleaned up after a second time.
            var stale = heartbeat is null || (Clock.UtcNow - heartbeat.Value).TotalSeconds > engine.Config.ServiceDownTimeSeconds;
            return stale && !engine.Catalog.Read(db => ServiceTable.IsUp(db, owner.Host, ServiceRegistry.Binary,
                ServiceRegistry.UpSince(engine.Config.ServiceDownTimeSeconds)));
        }
        if (owner.Pid == Environment.ProcessId)
        {
            return false;
        }
        return LocalProcess.IsGoneSince(owner.Pid, owner.Since);
    }
}
