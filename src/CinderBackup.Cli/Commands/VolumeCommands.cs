using System.CommandLine;
using CinderBackup.Cli.Output;
using CinderBackup.Cli.Views;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Commands;

/// <summary><c>volume create|list|show|delete|set|register|attach|detach</c> and the type, snapshot, backup and service groups.</summary>
internal static class VolumeCommands
{
    public static Command Build(CliApp app)
    {
        var volume = new Command("volume", "Block volumes, their snapshots and backups.");
        volume.Subcommands.Add(Create(app));
        volume.Subcommands.Add(Register(app));
        volume.Subcommands.Add(List(app));
        volume.Subcommands.Add(Show(app));
        volume.Subcommands.Add(Delete(app));
        volume.Subcommands.Add(Set(app));
        volume.Subcommands.Add(Attach(app));
        volume.Subcommands.Add(Detach(app));
        volume.Subcommands.Add(VolumeTypeCommands.Build(app));
        volume.Subcommands.Add(SnapshotCommands.Build(app));
        volume.Subcommands.Add(BackupCommands.Build(app));
        volume.Subcommands.Add(ServiceCommands.Build(app));
        return volume;
    }

    private static Command Create(CliApp app)
    {
        var cmd = new Command("create", "Create a sparse volume in the file pool.");
        var name = new Argument<string>("NAME") { Description = "Name of the new volume." };
        var size = new Option<string?>("--size") { Description = "Size in GiB (a positive integer); with --backup, default the backup's size.", HelpName = "SIZE" };
        var backup = new Option<string?>("--backup") { Description = "Create the volume from this backup (a restore to a new volume)." };
        var description = new Option<string?>("--description") { Description = "Volume description." };
        var zone = new Option<string?>("--availability-zone") { Description = "Availability zone (default: storage_availability_zone)." };
        var property = new Option<string[]>("--property") { Description = "Metadata key=value; repeat for several.", HelpName = "KEY=VALUE" };
        var type = new Option<string?>("--type") { Description = "Volume type, by name or ID (default: __DEFAULT__); it must exist (volume type list).", HelpName = "TYPE" };
        var rbd = new Option<bool>("--rbd") { Description = "Create an RBD image volume-<id> in rbd_pool (rbd_ceph_conf, rbd_user) instead of a file-pool image." };
        cmd.Arguments.Add(name);
        cmd.Options.Add(size);
        cmd.Options.Add(type);
        cmd.Options.Add(rbd);
        cmd.Options.Add(description);
        cmd.Options.Add(zone);
        cmd.Options.Add(property);
        cmd.Options.Add(backup);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            if (parse.GetValue(backup) is string fromBackup)
            {
                // cinder create --backup-id: a new volume restored from the backup (the seeds' edge-site procedure).
                var restored = engine.Volumes.CreateFromBackup(new VolumeFromBackupOptions
                {
                    Backup = fromBackup, Name = parse.GetValue(name), AvailabilityZone = parse.GetValue(zone),
                    SizeGiB = parse.GetValue(size) is string rawSize ? VolumeApi.ParseSize(rawSize) : null,
                    Description = parse.GetValue(description), Metadata = Arguments.Properties(parse.GetValue(property)),
                    VolumeType = parse.GetValue(type), Progress = app.ProgressBar("Restoring"),
                });
                Formatter.ShowOne(app.Out, output.Read(parse), VolumeView.Show(restored));
                return 0;
            }
            var sizeGiB = VolumeApi.ParseSize(parse.GetValue(size) ?? throw new Engine.Errors.CinderBackupException(
                Engine.Errors.ErrorIds.InvalidSize, Engine.Errors.ErrorKind.InvalidArgument, "--size is required unless --backup is given.", "--size"));
            var v = engine.Volumes.Create(parse.GetValue(name), sizeGiB, parse.GetValue(description), parse.GetValue(zone),
                Arguments.Properties(parse.GetValue(property)), parse.GetValue(type), parse.GetValue(rbd));
            Formatter.ShowOne(app.Out, output.Read(parse), VolumeView.Show(v));
            return 0;
        });
        return cmd;
    }

    private static Command Register(CliApp app)
    {
        var cmd = new Command("register", "Register an existing image file, block device or RBD image as a volume (never deleted or truncated).");
        var name = new Argument<string>("NAME") { Description = "Name of the volume." };
        var path = new Option<string?>("--path") { Description = "Image file or block device: not one of CinderBackup's own files or folders (catalog, logs, volume pool, snapshots, tmp, repositories) and not another volume's or snapshot's file, compared after following links.", HelpName = "PATH" };
        var rbd = new Option<string?>("--rbd") { Description = "An existing RBD image, POOL/IMAGE, of the cluster rbd_ceph_conf names, opened as rbd_user (instead of --path).", HelpName = "POOL/IMAGE" };
        var description = new Option<string?>("--description") { Description = "Volume description." };
        var zone = new Option<string?>("--availability-zone") { Description = "Availability zone." };
        cmd.Arguments.Add(name);
        cmd.Options.Add(path);
        cmd.Options.Add(rbd);
        cmd.Options.Add(description);
        cmd.Options.Add(zone);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var (givenPath, givenRbd) = (parse.GetValue(path), parse.GetValue(rbd));
            if ((givenPath is null) == (givenRbd is null))
            {
                throw new Engine.Errors.CinderBackupException(Engine.Errors.ErrorIds.InvalidPath, Engine.Errors.ErrorKind.InvalidArgument,
                    "Give exactly one of --path PATH and --rbd POOL/IMAGE.", "--path");
            }
            var v = givenRbd is not null
                ? engine.Volumes.RegisterRbd(parse.GetValue(name), givenRbd, parse.GetValue(description), parse.GetValue(zone))
                : engine.Volumes.Register(parse.GetValue(name), givenPath!, parse.GetValue(description), parse.GetValue(zone));
            Formatter.ShowOne(app.Out, output.Read(parse), VolumeView.Show(v));
            return 0;
        });
        return cmd;
    }

    private static Command List(CliApp app)
    {
        var cmd = new Command("list", "List volumes.");
        var all = new Option<bool>("--all-projects") { Description = "Include all projects (admin only)." };
        var longFormat = new Option<bool>("--long") { Description = "List additional fields." };
        var status = new Option<string?>("--status") { Description = "Only volumes in this status." };
        var name = new Option<string?>("--name") { Description = "Only volumes with this name." };
        cmd.Options.Add(all);
        cmd.Options.Add(longFormat);
        cmd.Options.Add(status);
        cmd.Options.Add(name);
        var output = CliApp.AddOutputOptions(cmd, list: true);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var allProjects = parse.GetValue(all);
            var isLong = parse.GetValue(longFormat);
            var wanted = parse.GetValue(name);
            var volumes = engine.Volumes.List(allProjects, parse.GetValue(status))
                .Where(v => wanted is null || v.Name == wanted).ToList();
            Formatter.ShowList(app.Out, output.Read(parse), VolumeView.Columns(isLong, allProjects),
                volumes.Select(v => VolumeView.Row(v, isLong, allProjects)).ToList());
            return 0;
        });
        return cmd;
    }

    private static Command Show(CliApp app)
    {
        var cmd = new Command("show", "Show a volume.");
        var target = new Argument<string>("VOLUME") { Description = "Volume name or ID." };
        cmd.Arguments.Add(target);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            Formatter.ShowOne(app.Out, output.Read(parse), VolumeView.Show(engine.Volumes.Get(parse.GetValue(target)!)));
            return 0;
        });
        return cmd;
    }

    private static Command Delete(CliApp app)
    {
        var cmd = new Command("delete", "Delete volumes (a registered path is only forgotten, never deleted).");
        var targets = new Argument<string[]>("VOLUME") { Description = "Volume names or IDs.", Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force") { Description = "Delete whatever the status (admin only)." };
        cmd.Arguments.Add(targets);
        cmd.Options.Add(force);
        app.EngineAction(cmd, (parse, engine) =>
            DeleteLoop.Run(app, parse, "volume", parse.GetValue(targets)!, v => engine.Volumes.Delete(v, parse.GetValue(force))));
        return cmd;
    }

    private static Command Set(CliApp app)
    {
        var cmd = new Command("set", "Change a volume's name, description, properties or size (extend), or reset the state of one or more volumes (admin; a failure on one is reported and the rest still done, exit code 1).");
        var target = new Argument<string[]>("VOLUME") { Description = "Volume name or ID; several only with --state alone.", Arity = ArgumentArity.OneOrMore };
        var name = new Option<string?>("--name") { Description = "New name." };
        var description = new Option<string?>("--description") { Description = "New description." };
        var size = new Option<string?>("--size") { Description = "Extend to this size in GiB.", HelpName = "SIZE" };
        var property = new Option<string[]>("--property") { Description = "Metadata key=value; repeat for several.", HelpName = "KEY=VALUE" };
        var state = new Option<string?>("--state")
        {
            Description = "New volume state, e.g. available after a failed restore left it error_restoring (admin only). This only changes the state recorded in the catalog, with no regard to the volume's actual condition: use with care.",
            HelpName = "STATE",
        };
        cmd.Arguments.Add(target);
        cmd.Options.Add(name);
        cmd.Options.Add(description);
        cmd.Options.Add(size);
        cmd.Options.Add(property);
        cmd.Options.Add(state);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var volumes = parse.GetValue(target)!;
            var newSize = parse.GetValue(size) is string s ? VolumeApi.ParseSize(s) : (int?)null;
            var props = Arguments.Properties(parse.GetValue(property));
            var changes = new VolumeChanges
            {
                Name = parse.GetValue(name), Description = parse.GetValue(description), Metadata = props, SizeGiB = newSize, State = parse.GetValue(state),
            };
            if (volumes.Length == 1)
            {
                engine.Volumes.Set(engine.Volumes.Get(volumes[0]).Id, changes);
                return 0;
            }
            Arguments.RequireStateOnly(volumes.Length, changes.State, changes.Name, changes.Description, changes.Metadata, changes.SizeGiB);
            engine.Volumes.CheckResetState(changes.State!);
            return DeleteLoop.Run(app, parse, "volume", "set", volumes, v => engine.Volumes.Set(engine.Volumes.Get(v).Id, changes));
        });
        return cmd;
    }

    private static Command Attach(CliApp app)
    {
        var cmd = new Command("attach", "Mark a volume in-use by an instance on a device.");
        var target = new Argument<string>("VOLUME") { Description = "Volume name or ID." };
        var instance = new Option<string>("--instance") { Description = "Instance (server) name or ID.", Required = true };
        var device = new Option<string>("--device") { Description = "Device, e.g. /dev/vdc.", Required = true };
        cmd.Arguments.Add(target);
        cmd.Options.Add(instance);
        cmd.Options.Add(device);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var v = engine.Volumes.Attach(parse.GetValue(target)!, parse.GetValue(instance)!, parse.GetValue(device)!);
            var a = v.Attachments[^1];
            Formatter.ShowOne(app.Out, output.Read(parse), new (string, object?)[]
            {
                ("ID", a.Id), ("Server ID", a.InstanceId), ("Volume ID", a.VolumeId), ("Device", a.Device),
            });
            return 0;
        });
        return cmd;
    }

    private static Command Detach(CliApp app)
    {
        var cmd = new Command("detach", "Detach a volume from its instance.");
        var target = new Argument<string>("VOLUME") { Description = "Volume name or ID." };
        cmd.Arguments.Add(target);
        app.EngineAction(cmd, (parse, engine) =>
        {
            engine.Volumes.Detach(parse.GetValue(target)!);
            return 0;
        });
        return cmd;
    }
}
