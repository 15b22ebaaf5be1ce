using System.CommandLine;
using CinderBackup.Cli.Output;
using CinderBackup.Cli.Views;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Cli.Commands;

/// <summary>
/// The python-cinderclient lines the seeds use (issue 20), as top-level commands: <c>quota-usage</c>,
/// <c>backup-create</c>, <c>create --backup-id</c>, <c>backup-restore</c>, <c>backup-reset-state</c>. Each maps onto the
/// engine call its openstack-style command makes, and prints what cinderclient prints: a Property/Value table sorted
/// by property (its <c>print_dict</c>), or its messages.
/// </summary>
internal static class CinderClientCommands
{
    private const string Group = "cinder client compatibility: ";

    public static IEnumerable<Command> Build(CliApp app) =>
        new[] { QuotaUsage(app), BackupCreate(app), Create(app), BackupRestore(app), BackupResetState(app) };

    private static Command QuotaUsage(CliApp app)
    {
        var cmd = new Command("quota-usage", Group + "`cinder quota-usage <project_id>`, as `quota usage`.");
        var project = new Argument<string>("PROJECT_ID") { Description = "Project." };
        cmd.Arguments.Add(project);
        app.EngineAction(cmd, (parse, engine) =>
        {
            QuotaCommands.ShowUsage(app.Out, OutputSpec.Default, engine, parse.GetValue(project));
            return 0;
        });
        return cmd;
    }

    private static Command BackupCreate(CliApp app)
    {
        var cmd = new Command("backup-create", Group + "`cinder backup-create`, as `volume backup create` (waits until the backup is done).");
        var volume = new Argument<string>("VOLUME") { Description = "Volume to back up (name or ID)." };
        var name = new Option<string?>("--name") { Description = "Backup name." };
        var description = new Option<string?>("--description") { Description = "Backup description." };
        var container = new Option<string?>("--container") { Description = "Backup container name." };
        var incremental = new Option<bool>("--incremental") { Description = "Incremental backup." };
        var force = new Option<bool>("--force") { Description = "Allow backing up an in-use volume." };
        var snapshot = new Option<string?>("--snapshot-id") { Description = "ID (or name) of a snapshot of the volume to back up." };
        var metadata = new Option<string[]>("--metadata") { Description = "Backup metadata key=value pairs.", HelpName = "KEY=VALUE", AllowMultipleArgumentsPerToken = true };
        var zone = new Option<string?>("--availability-zone") { Description = "Availability zone of the backup." };
        cmd.Arguments.Add(volume);
        foreach (var o in new Option[] { name, description, container, incremental, force, snapshot, metadata, zone })
        {
            cmd.Options.Add(o);
        }
        app.EngineAction(cmd, (parse, engine) =>
        {
            var b = engine.Backups.Create(new BackupCreateOptions
            {
                Volume = parse.GetValue(volume)!, Name = parse.GetValue(name), Description = parse.GetValue(description),
                Container = parse.GetValue(container), Incremental = parse.GetValue(incremental), Force = parse.GetValue(force),
                Snapshot = parse.GetValue(snapshot), Metadata = Arguments.Properties(parse.GetValue(metadata)),
                AvailabilityZone = parse.GetValue(zone), Progress = app.ProgressBar("Backing up"),
            });
            if (BackupView.Summary(b) is { } line)
            {
                app.Warn(line);
            }
            PrintDict(app, new (string, object?)[] { ("id", b.Id), ("name", b.Name), ("volume_id", b.VolumeId) });
            return 0;
        });
        return cmd;
    }

    private static Command Create(CliApp app)
    {
        var cmd = new Command("create", Group + "`cinder create`, as `volume create` (with --backup-id, a restore to a new volume).");
        var size = new Argument<string?>("SIZE") { Description = "Size in GiB; with --backup-id, default the backup's size.", Arity = ArgumentArity.ZeroOrOne };
        var name = new Option<string?>("--name") { Description = "Volume name." };
        var description = new Option<string?>("--description") { Description = "Volume description." };
        var zone = new Option<string?>("--availability-zone") { Description = "Availability zone for the volume." };
        var backup = new Option<string?>("--backup-id") { Description = "Create the volume from this backup (ID or name)." };
        var type = new Option<string?>("--volume-type") { Description = "Volume type, by name or ID." };
        var metadata = new Option<string[]>("--metadata") { Description = "Metadata key=value pairs.", HelpName = "KEY=VALUE", AllowMultipleArgumentsPerToken = true };
        cmd.Arguments.Add(size);
        foreach (var o in new Option[] { name, description, zone, backup, type, metadata })
        {
            cmd.Options.Add(o);
        }
        app.EngineAction(cmd, (parse, engine) =>
        {
            var sizeGiB = parse.GetValue(size) is string rawSize ? VolumeApi.ParseSize(rawSize) : (int?)null;
            var properties = Arguments.Properties(parse.GetValue(metadata));
            if (parse.GetValue(backup) is string fromBackup)
            {
                PrintDict(app, VolumeView.Show(engine.Volumes.CreateFromBackup(new VolumeFromBackupOptions
                {
                    Backup = fromBackup, Name = parse.GetValue(name), AvailabilityZone = parse.GetValue(zone), SizeGiB = sizeGiB,
                    Description = parse.GetValue(description), Metadata = properties, VolumeType = parse.GetValue(type),
                    Progress = app.ProgressBar("Restoring"),
                })));
                return 0;
            }
            // cinderclient's own message for a size-less create.
            var v = engine.Volumes.Create(parse.GetValue(name), sizeGiB ?? throw new CinderBackupException(ErrorIds.InvalidSize, ErrorKind.InvalidArgument,
                    "Size is a required parameter if snapshot or source volume or backup is not specified.", "SIZE"),
                parse.GetValue(description), parse.GetValue(zone), properties, parse.GetValue(type), false);
            PrintDict(app, VolumeView.Show(v));
            return 0;
        });
        return cmd;
    }

    private static Command BackupRestore(CliApp app)
    {
        var cmd = new Command("backup-restore", Group + "`cinder backup-restore`, as `volume backup restore` (waits until the restore is done).");
        var backup = new Argument<string>("BACKUP") { Description = "Name or ID of the backup to restore." };
        var volume = new Option<string?>("--volume") { Description = "Name or ID of an available volume to restore to (default: a new volume)." };
        var name = new Option<string?>("--name") { Description = "Name of the new volume (not with --volume)." };
        cmd.Arguments.Add(backup);
        cmd.Options.Add(volume);
        cmd.Options.Add(name);
        app.EngineAction(cmd, (parse, engine) =>
        {
            if (parse.GetValue(volume) is not null && parse.GetValue(name) is not null)
            {
                // cinderclient refuses the pair before calling the API.
                throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                    "Cannot specify both --volume and --name.", "--name");
            }
            var r = engine.Backups.Restore(parse.GetValue(backup)!, parse.GetValue(volume), parse.GetValue(name), null, app.ProgressBar("Restoring"));
            if (BackupView.Summary(r) is { } line)
            {
                app.Warn(line);
            }
            PrintDict(app, new (string, object?)[] { ("backup_id", r.BackupId), ("volume_id", r.VolumeId), ("volume_name", r.VolumeName) });
            return 0;
        });
        return cmd;
    }

    private static Command BackupResetState(CliApp app)
    {
        var cmd = new Command("backup-reset-state", Group + "`cinder backup-reset-state`, as `volume backup set --state` (admin; a failure on one is reported and the rest still done, exit code 1).");
        var backups = new Argument<string[]>("BACKUP") { Description = "Names or IDs of the backups to modify.", Arity = ArgumentArity.OneOrMore };
        var state = new Option<string>("--state") { Description = "The state to assign: available or error (default: available).", DefaultValueFactory = _ => "available" };
        cmd.Arguments.Add(backups);
        cmd.Options.Add(state);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var targets = parse.GetValue(backups)!;
            var changes = new BackupChanges { State = parse.GetValue(state) };
            void Reset(string b)
            {
                engine.Backups.Set(b, changes);
                app.Out.WriteLine($"Request to update backup '{b}' has been accepted.");
            }
            if (targets.Length == 1)
            {
                Reset(targets[0]);
                return 0;
            }
            engine.Backups.CheckResetState(changes.State!);
            return DeleteLoop.Run(app, parse, "backup", "set", targets, Reset);
        });
        return cmd;
    }

    /// <summary>cinderclient's print_dict: a Property/Value table, sorted by property.</summary>
    private static void PrintDict(CliApp app, IEnumerable<(string Name, object? Value)> fields)
    {
        var rows = fields.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => (IReadOnlyList<object?>)new object?[] { f.Name, f.Value }).ToList();
        app.Out.Write(PrettyTable.Render(new[] { "Property", "Value" }, rows, new[] { false, false }));
        app.Out.Write('\n');
    }
}
