using System.CommandLine;
using CinderBackup.Cli.Output;
using CinderBackup.Cli.Views;

namespace CinderBackup.Cli.Commands;

/// <summary><c>volume snapshot create|list|show|delete</c>.</summary>
internal static class SnapshotCommands
{
    public static Command Build(CliApp app)
    {
        var snapshot = new Command("snapshot", "Point-in-time copies of volumes.");
        snapshot.Subcommands.Add(Create(app));
        snapshot.Subcommands.Add(List(app));
        snapshot.Subcommands.Add(Show(app));
        snapshot.Subcommands.Add(Delete(app));
        return snapshot;
    }

    private static Command Create(CliApp app)
    {
        var cmd = new Command("create", "Create a snapshot of a volume.");
        var name = new Argument<string>("NAME") { Description = "Name of the snapshot." };
        var volume = new Option<string>("--volume") { Description = "Volume to snapshot (name or ID).", Required = true };
        var description = new Option<string?>("--description") { Description = "Snapshot description." };
        var force = new Option<bool>("--force") { Description = "Allow snapshots of in-use volumes (crash-consistent)." };
        cmd.Arguments.Add(name);
        cmd.Options.Add(volume);
        cmd.Options.Add(description);
        cmd.Options.Add(force);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var s = engine.Snapshots.Create(parse.GetValue(volume)!, parse.GetValue(name), parse.GetValue(description), parse.GetValue(force));
            Formatter.ShowOne(app.Out, output.Read(parse), SnapshotView.Show(s));
            return 0;
        });
        return cmd;
    }

    private static Command List(CliApp app)
    {
        var cmd = new Command("list", "List snapshots.");
        var all = new Option<bool>("--all-projects") { Description = "Include all projects (admin only)." };
        var volume = new Option<string?>("--volume") { Description = "Only snapshots of this volume." };
        cmd.Options.Add(all);
        cmd.Options.Add(volume);
        var output = CliApp.AddOutputOptions(cmd, list: true);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var allProjects = parse.GetValue(all);
            var snapshots = engine.Snapshots.List(parse.GetValue(volume), allProjects);
            Formatter.ShowList(app.Out, output.Read(parse), SnapshotView.Columns(allProjects),
                snapshots.Select(s => SnapshotView.Row(s, allProjects)).ToList());
            return 0;
        });
        return cmd;
    }

    private static Command Show(CliApp app)
    {
        var cmd = new Command("show", "Show a snapshot.");
        var target = new Argument<string>("SNAPSHOT") { Description = "Snapshot name or ID." };
        cmd.Arguments.Add(target);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            Formatter.ShowOne(app.Out, output.Read(parse), SnapshotView.Show(engine.Snapshots.Get(parse.GetValue(target)!)));
            return 0;
        });
        return cmd;
    }

    private static Command Delete(CliApp app)
    {
        var cmd = new Command("delete", "Delete snapshots.");
        var targets = new Argument<string[]>("SNAPSHOT") { Description = "Snapshot names or IDs.", Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force") { Description = "Delete whatever the status (admin only)." };
        cmd.Arguments.Add(targets);
        cmd.Options.Add(force);
        app.EngineAction(cmd, (parse, engine) =>
            DeleteLoop.Run(app, parse, "snapshot", parse.GetValue(targets)!, s => engine.Snapshots.Delete(s, parse.GetValue(force))));
        return cmd;
    }
}
