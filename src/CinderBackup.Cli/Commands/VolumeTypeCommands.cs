using System.CommandLine;
using CinderBackup.Cli.Output;

namespace CinderBackup.Cli.Commands;

/// <summary><c>volume type list|show|create|delete</c>, as the openstack client has them; create and delete are admin only.</summary>
internal static class VolumeTypeCommands
{
    public static Command Build(CliApp app)
    {
        var type = new Command("type", "Volume types: every volume has one (__DEFAULT__ unless created with --type).");
        type.Subcommands.Add(List(app));
        type.Subcommands.Add(Show(app));
        type.Subcommands.Add(Create(app));
        type.Subcommands.Add(Delete(app));
        return type;
    }

    private static IReadOnlyList<(string, object?)> View(VolumeType t) => new (string, object?)[]
    {
        ("description", t.Description), ("id", t.Id), ("is_public", t.IsPublic), ("name", t.Name),
    };

    private static Command List(CliApp app)
    {
        var cmd = new Command("list", "List volume types.");
        var longFormat = new Option<bool>("--long") { Description = "List additional fields (Description)." };
        cmd.Options.Add(longFormat);
        var output = CliApp.AddOutputOptions(cmd, list: true);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var isLong = parse.GetValue(longFormat);
            var columns = isLong ? new[] { "ID", "Name", "Is Public", "Description" } : new[] { "ID", "Name", "Is Public" };
            Formatter.ShowList(app.Out, output.Read(parse), columns, engine.VolumeTypes.List()
                .Select(t => isLong ? new object?[] { t.Id, t.Name, t.IsPublic, t.Description } : new object?[] { t.Id, t.Name, t.IsPublic })
                .ToList());
            return 0;
        });
        return cmd;
    }

    private static Command Show(CliApp app)
    {
        var cmd = new Command("show", "Show a volume type.");
        var target = new Argument<string>("TYPE") { Description = "Volume type name or ID." };
        cmd.Arguments.Add(target);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            Formatter.ShowOne(app.Out, output.Read(parse), View(engine.VolumeTypes.Get(parse.GetValue(target)!)));
            return 0;
        });
        return cmd;
    }

    private static Command Create(CliApp app)
    {
        var cmd = new Command("create", "Create a volume type (admin only); its name must be new.");
        var name = new Argument<string>("NAME") { Description = "Name of the new type." };
        var description = new Option<string?>("--description") { Description = "Type description." };
        var isPrivate = new Option<bool>("--private") { Description = "Mark the type private (recorded only: every project may use every type)." };
        cmd.Arguments.Add(name);
        cmd.Options.Add(description);
        cmd.Options.Add(isPrivate);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var t = engine.VolumeTypes.Create(parse.GetValue(name)!, parse.GetValue(description), !parse.GetValue(isPrivate));
            Formatter.ShowOne(app.Out, output.Read(parse), View(t));
            return 0;
        });
        return cmd;
    }

    private static Command Delete(CliApp app)
    {
        var cmd = new Command("delete", "Delete volume types (admin only): not __DEFAULT__, and not while any volume has the type.");
        var targets = new Argument<string[]>("TYPE") { Description = "Volume type names or IDs.", Arity = ArgumentArity.OneOrMore };
        cmd.Arguments.Add(targets);
        app.EngineAction(cmd, (parse, engine) =>
            DeleteLoop.Run(app, parse, "volume type", parse.GetValue(targets)!, t => engine.VolumeTypes.Delete(t)));
        return cmd;
    }
}
