using System.CommandLine;
using CinderBackup.Cli.Output;
using CinderBackup.Cli.Views;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Format;

namespace CinderBackup.Cli.Commands;

/// <summary><c>volume backup create|list|show|delete|restore|verify</c> and the record group.</summary>
internal static class BackupCommands
{
    public static Command Build(CliApp app)
    {
        var backup = new Command("backup", "Volume backups.");
        backup.Subcommands.Add(Create(app));
        backup.Subcommands.Add(List(app));
        backup.Subcommands.Add(Show(app));
        backup.Subcommands.Add(Delete(app));
        backup.Subcommands.Add(Restore(app));
        backup.Subcommands.Add(Verify(app));
        backup.Subcommands.Add(Wait(app));
        backup.Subcommands.Add(Set(app));
        backup.Subcommands.Add(PruneCommand.Build(app));
        backup.Subcommands.Add(RecordCommands.Build(app));
        return backup;
    }

    private static Command Create(CliApp app)
    {
        var cmd = new Command("create", "Back up a volume (full, or incremental against its newest backup). When it ends, a summary goes to stderr: bytes read, changed, stored (after compression), objects written, duration, rate (also in `volume backup show`).");
        var volume = new Argument<string>("VOLUME") { Description = "Volume to back up (name or ID)." };
        var name = new Option<string?>("--name") { Description = "Name of the backup." };
        var description = new Option<string?>("--description") { Description = "Description of the backup." };
        var container = new Option<string?>("--container") { Description = "Container (directory or bucket) to store the backup in." };
        var incremental = new Option<bool>("--incremental") { Description = "Store only what changed since the newest backup." };
        var force = new Option<bool>("--force") { Description = "Allow backing up an in-use volume (from a temporary snapshot)." };
        var snapshot = new Option<string?>("--snapshot") { Description = "Back up this snapshot of the volume (name or ID)." };
        var property = new Option<string[]>("--property") { Description = "Backup metadata key=value; repeat for several.", HelpName = "KEY=VALUE" };
        var compression = new Option<string?>("--compression") { Description = "Compression for this backup: none, zlib, bz2 or zstd (ignored by Ceph repositories)." };
        var zone = new Option<string?>("--availability-zone") { Description = "Availability zone of the backup." };
        var repository = new Option<string?>("--repository") { Description = "Configured repository to store the backup in." };
        var noWait = new Option<bool>("--no-wait") { Description = "Return at once; a backup service of the zone does the backup when one is up (`service run`), else a detached worker (see `volume backup wait`)." };
        cmd.Arguments.Add(volume);
        foreach (var o in new Option[] { name, description, container, incremental, force, snapshot, property, compression, zone, repository, noWait })
        {
            cmd.Options.Add(o);
        }
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var options = new BackupCreateOptions
            {
                Volume = parse.GetValue(volume)!,
                Name = parse.GetValue(name),
                Description = parse.GetValue(description),
                Container = parse.GetValue(container),
                Incremental = parse.GetValue(incremental),
                Force = parse.GetValue(force),
                Snapshot = parse.GetValue(snapshot),
                Metadata = Arguments.Properties(parse.GetValue(property)),
                Compression = parse.GetValue(compression),
                AvailabilityZone = parse.GetValue(zone),
                Repository = parse.GetValue(repository),
                Progress = app.ProgressBar("Backing up"),
            };
            VolumeBackup b;
            if (parse.GetValue(noWait))
            {
                b = engine.Backups.StartCreate(options);
                if (!engine.Backups.Enqueue(b.Id)) // a backup service of the zone takes it; with none up, a worker here
                {
                    Worker.Start(app, parse, engine, "create", b.Id);
                }
            }
            else
            {
                b = engine.Backups.Create(options);
            }
            if (BackupView.Summary(b) is { } line)
            {
                app.Warn(line); // stderr: stdout keeps the seeds' id/name table
            }
            Formatter.ShowOne(app.Out, output.Read(parse), new (string, object?)[] { ("id", b.Id), ("name", b.Name) });
            return 0;
        });
        return cmd;
    }

    private static Command List(CliApp app)
    {
        var cmd = new Command("list", "List backups. Status is Cinder's word (creating, available, ...); how far a running backup or restore is shows in the Progress column of --long.");
        var all = new Option<bool>("--all-projects") { Description = "Include all projects (admin only)." };
        var longFormat = new Option<bool>("--long") { Description = "List additional fields: Availability Zone, Volume, Container, Progress (percent of the bytes to read, while an operation runs)." };
        var name = new Option<string?>("--name") { Description = "Only backups with this name." };
        var status = new Option<string?>("--status") { Description = "Only backups in this status." };
        var volume = new Option<string?>("--volume") { Description = "Only backups of this volume (name or ID)." };
        foreach (var o in new Option[] { all, longFormat, name, status, volume })
        {
            cmd.Options.Add(o);
        }
        var output = CliApp.AddOutputOptions(cmd, list: true);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var allProjects = parse.GetValue(all);
            var isLong = parse.GetValue(longFormat);
            var backups = engine.Backups.List(allProjects, parse.GetValue(name), parse.GetValue(status), parse.GetValue(volume));
            Formatter.ShowList(app.Out, output.Read(parse), BackupView.Columns(isLong, allProjects),
                backups.Select(b => BackupView.Row(b, isLong, allProjects)).ToList());
            return 0;
        });
        return cmd;
    }

    private static Command Show(CliApp app)
    {
        var cmd = new Command("show", "Show a backup.");
        var target = new Argument<string>("BACKUP") { Description = "Backup name or ID." };
        cmd.Arguments.Add(target);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            Formatter.ShowOne(app.Out, output.Read(parse), BackupView.Show(engine.Backups.Get(parse.GetValue(target)!)));
            return 0;
        });
        return cmd;
    }

    private static Command Delete(CliApp app)
    {
        var cmd = new Command("delete", "Delete backups. Several are deleted children first (each incremental before its parent, newest first), whatever the order given; a failure on one is reported and the rest still deleted (exit code 1).");
        var targets = new Argument<string[]>("BACKUP") { Description = "Backup names or IDs.", Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force") { Description = "Delete whatever the status; cancels a running backup (admin only; refused for Ceph backups, which cannot be cancelled)." };
        cmd.Arguments.Add(targets);
        cmd.Options.Add(force);
        app.EngineAction(cmd, (parse, engine) =>
            DeleteLoop.Run(app, parse, "backup", engine.Backups.DeleteOrder(parse.GetValue(targets)!), b => engine.Backups.Delete(b, parse.GetValue(force))));
        return cmd;
    }

    private static Command Restore(CliApp app)
    {
        var cmd = new Command("restore", "Restore a backup to an existing volume, or to a new one. When it ends, a summary goes to stderr: bytes restored and written, objects read and skipped, duration, rate.");
        var backup = new Argument<string>("BACKUP") { Description = "Backup name or ID." };
        var volume = new Argument<string?>("VOLUME") { Description = "Available volume to overwrite (default: a new volume).", Arity = ArgumentArity.ZeroOrOne };
        var name = new Option<string?>("--name") { Description = "Name of the new volume." };
        var force = new Option<bool>("--force") { Description = "Accepted for compatibility; an existing volume is always overwritten." };
        var zone = new Option<string?>("--availability-zone") { Description = "Availability zone of the new volume." };
        var noWait = new Option<bool>("--no-wait") { Description = "Return at once; a backup service of the zone does the restore when one is up (`service run`), else a detached worker (see `volume backup wait`)." };
        cmd.Arguments.Add(backup);
        cmd.Arguments.Add(volume);
        cmd.Options.Add(name);
        cmd.Options.Add(force);
        cmd.Options.Add(zone);
        cmd.Options.Add(noWait);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            BackupRestoreResult r;
            if (parse.GetValue(noWait))
            {
                r = engine.Backups.StartRestore(parse.GetValue(backup)!, parse.GetValue(volume), parse.GetValue(name), parse.GetValue(zone));
                if (!engine.Backups.Enqueue(r.BackupId))
                {
                    Worker.Start(app, parse, engine, "restore", r.BackupId);
                }
            }
            else
            {
                r = engine.Backups.Restore(parse.GetValue(backup)!, parse.GetValue(volume), parse.GetValue(name), parse.GetValue(zone),
                    app.ProgressBar("Restoring"));
            }
            if (BackupView.Summary(r) is { } line)
            {
                app.Warn(line); // stderr: stdout keeps the seeds' table
            }
            Formatter.ShowOne(app.Out, output.Read(parse), new (string, object?)[]
            {
                ("backup_id", r.BackupId), ("volume_id", r.VolumeId), ("volume_name", r.VolumeName),
            });
            return 0;
        });
        return cmd;
    }

    private static Command Wait(CliApp app)
    {
        var cmd = new Command("wait", "Wait until a backup is no longer creating, restoring or deleting; print it (exit code 1 if it ends in error).");
        var backup = new Argument<string>("BACKUP") { Description = "Backup name or ID." };
        var timeout = new Option<int?>("--timeout") { Description = "Give up after this many seconds (exit code 1)." };
        cmd.Arguments.Add(backup);
        cmd.Options.Add(timeout);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var t = parse.GetValue(timeout);
            var b = engine.Backups.Wait(parse.GetValue(backup)!, t is int s ? TimeSpan.FromSeconds(s) : null);
            Formatter.ShowOne(app.Out, output.Read(parse), BackupView.Show(b));
            if (b.Status == BackupStatus.Error)
            {
                app.Warn($"Backup {b.Id} is in error: {b.FailReason}");
                return 1;
            }
            return 0;
        });
        return cmd;
    }

    private static Command Set(CliApp app)
    {
        var cmd = new Command("set", "Change a backup's name, description or properties, or reset the state of one or more backups (admin; a failure on one is reported and the rest still done, exit code 1).");
        var backup = new Argument<string[]>("BACKUP") { Description = "Backup name or ID; several only with --state alone.", Arity = ArgumentArity.OneOrMore };
        var state = new Option<string?>("--state") { Description = "Reset the state to available or error (admin only); error cancels a running restore." };
        var name = new Option<string?>("--name") { Description = "New name." };
        var description = new Option<string?>("--description") { Description = "New description." };
        var property = new Option<string[]>("--property") { Description = "Metadata key=value; repeat for several.", HelpName = "KEY=VALUE" };
        cmd.Arguments.Add(backup);
        cmd.Options.Add(state);
        cmd.Options.Add(name);
        cmd.Options.Add(description);
        cmd.Options.Add(property);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var targets = parse.GetValue(backup)!;
            var changes = new BackupChanges
            {
                Name = parse.GetValue(name), Description = parse.GetValue(description), Metadata = Arguments.Properties(parse.GetValue(property)),
                State = parse.GetValue(state),
            };
            if (targets.Length == 1)
            {
                engine.Backups.Set(targets[0], changes);
                return 0;
            }
            Arguments.RequireStateOnly(targets.Length, changes.State, changes.Name, changes.Description, changes.Metadata);
            engine.Backups.CheckResetState(changes.State!);
            return DeleteLoop.Run(app, parse, "backup", "set", targets, b => engine.Backups.Set(b, changes));
        });
        return cmd;
    }

    private static Command Verify(CliApp app)
    {
        var cmd = new Command("verify", "Check a backup and its parents without restoring (exit code 1 when a problem is found).");
        var backup = new Argument<string>("BACKUP") { Description = "Backup name or ID." };
        var deep = new Option<bool>("--deep") { Description = "Read and check every object, not only the documents and listing: every block a restore would write, against the requested backup's own hash list." };
        cmd.Arguments.Add(backup);
        cmd.Options.Add(deep);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var r = engine.Backups.Verify(parse.GetValue(backup)!, parse.GetValue(deep), app.ProgressBar("Verifying"));
            Formatter.ShowOne(app.Out, output.Read(parse), new (string, object?)[]
            {
                ("backup_id", r.BackupId), ("mode", r.Mode), ("valid", r.IsValid), ("chain_length", r.ChainLength),
                ("objects_checked", r.ObjectsChecked), ("bytes_checked", r.BytesChecked), ("problem", r.Problem),
            });
            if (!r.IsValid)
            {
                app.Warn(r.Problem!);
            }
            return r.IsValid ? 0 : 1;
        });
        return cmd;
    }
}
