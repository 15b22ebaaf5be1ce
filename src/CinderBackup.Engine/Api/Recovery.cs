using System.Diagnostics;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.Transfer;
using CinderBackup.Engine.Util;
using CinderBackup.Engine.Volumes;

namespace CinderBackup.Engine.Api;

/// <summary>
/// Cinder's service start cleanup (manager.py:184, cinder-reference.md §6.1) for operations whose owner is
/// gone: a process on this host that no longer runs, or another host silent for longer than
/// service_down_time. creating → error "incomplete backup reset on manager restart" (volume and snapshot
/// back to their status, and — beyond Cinder — the partial objects removed); restoring → available with the
/// target volume error_restoring; deleting → the delete resumes.
/// </summary>
internal static class Recovery
{
    public const string CreatingReason = "incomplete backup reset on manager restart";

    public static void Run(BackupEngine engine)
    {
        var orphans = engine.Catalog.Read(db => db.Query(
            "SELECT id, operation, owner_host, owner_pid, owner_started_at, heartbeat_at, status FROM backups WHERE deleted = 0 AND operation IS NOT NULL",
            r => (Id: r.Str("id"), Operation: r.Str("operation"), Host: r.StrN("owner_host"), Pid: (int?)r.LongN("owner_pid"),
                Started: r.TimeN("owner_started_at"), Heartbeat: r.TimeN("heartbeat_at"), Status: r.StrN("status"))));
        foreach (var o in orphans)
        {
            if (!IsGone(engine, o.Host, o.Pid, o.Started, o.Heartbeat))
            {
                continue;
            }
            // Claim the row so that two processes starting together do not both clean it.
            var claimed = engine.Catalog.Write(db => db.Execute(
                "UPDATE backups SET owner_host = $h, owner_pid = $pid, owner_started_at = $now, heartbeat_at = $now WHERE id = $id AND operation = $op AND owner_pid IS $old",
                ("$h", engine.Config.Host), ("$pid", Environment.ProcessId), ("$now", Clock.ToStorage(Clock.UtcNow)),
                ("$id", o.Id), ("$op", o.Operation), ("$old", o.Pid)) == 1);
            if (claimed)
            {
                engine.Detail($"Backup {o.Id}: its {o.Operation} operation's owner (pid {o.Pid} on {o.Host}) is gone; cleaning up as on a manager restart.");
                Clean(engine, o.Id, CreatingReason);
            }
        }
    }

    /// <summary>Ends an operation nobody runs: the transitions of a failure, with <paramref name="reason"/>.</summary>
    internal static void Clean(BackupEngine engine, string id, string reason)
    {
        var row = engine.Catalog.Read(db => BackupRecords.Get(db, id));
        if (row is null)
        {
            return;
        }
        switch (row.Status)
        {
            case BackupStatus.Creating:
                if (row.Container is not null && row.ServiceMetadata is not null)
                {
                    BackupWriter.RemoveEverything(new RepositoryResolver(engine.Config).ForBackup(row), row.Container, row.ServiceMetadata, row.Id);
                }
                engine.Catalog.Write(db =>
                {
                    db.Execute("UPDATE backups SET status = 'error', fail_reason = $r, operation = NULL, owner_host = NULL, owner_pid = NULL, updated_at = $now WHERE id = $id",
                        ("$r", reason.Length > 255 ? reason[..255] : reason), ("$now", Clock.ToStorage(Clock.UtcNow)), ("$id", id));
                    BackupCreator.RestoreSource(db, row, failed: true);
                    EventLog.Write(engine, "backup.create.error", BackupRecords.Get(db, id)!, reason);
                });
                if (row.TempSnapshotId is not null)
                {
                    engine.Snapshots.DeleteTemporary(row.TempSnapshotId);
                }
                break;
            case BackupStatus.Restoring:
                engine.Catalog.Write(db =>
                {
                    db.Execute("UPDATE backups SET status = 'available', operation = NULL, owner_host = NULL, owner_pid = NULL, updated_at = $now WHERE id = $id",
                        ("$now", Clock.ToStorage(Clock.UtcNow)), ("$id", id));
                    if (row.RestoreVolumeId is not null)
                    {
                        VolumeRecords.ConditionalStatus(db, row.RestoreVolumeId, new[] { VolumeStatus.RestoringBackup }, VolumeStatus.ErrorRestoring);
                    }
                    EventLog.Write(engine, "backup.restore.error", BackupRecords.Get(db, id)!, reason);
                });
                break;
            case BackupStatus.Deleting:
                new BackupDeleter(engine).Finish(row);
                break;
            default:
                engine.Catalog.Write(db => db.Execute("UPDATE backups SET operation = NULL, owner_host = NULL, owner_pid = NULL WHERE id = $id", ("$id", id)));
                break;
        }
    }

    /// <summary>True when the process that owned an operation cannot still be running it.</summary>
    internal static bool IsGone(BackupEngine engine, string? host, int? pid, DateTime? started, DateTime? heartbeat)
    {
        if (host is null || pid is null)
        {
            return true;
        }
        if (host != engine.Config.Host)
        {
            return heartbeat is null || (Clock.UtcNow - heartbeat.Value).TotalSeconds > engine.Config.ServiceDownTimeSeconds;
        }
        if (pid == Environment.ProcessId)
        {
            return false;
        }
        try
        {
            using var p = Process.GetProcessById(pid.Value);
            if (p.HasExited)
            {
                return true;
            }
            // A reused pid belongs to a process that started after the operation did.
            return started is DateTime s && p.StartTime.ToUniversalTime() > s.AddSeconds(5);
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}
