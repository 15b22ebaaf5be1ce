using System.CommandLine;
using CinderBackup.Cli.Output;
using CinderBackup.Cli.Views;

namespace CinderBackup.Cli.Commands;

/// <summary><c>catalog backup|restore</c>: online-consistent copies of the catalog, and putting one back (admin only).</summary>
internal static class CatalogCommands
{
    public static Command Build(CliApp app)
    {
        var catalog = new Command("catalog", "Back up and restore the catalog (admin only).");
        catalog.Subcommands.Add(Backup(app));
        catalog.Subcommands.Add(Restore(app));
        return catalog;
    }

    private static Command Backup(CliApp app)
    {
        var cmd = new Command("backup", "Write a consistent copy of the catalog, while other commands keep working.");
        var to = new Option<string>("--to") { Description = "File to write (a directory gets cinderbackup-catalog-<UTC time>.db).", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace an existing file." };
        cmd.Options.Add(to);
        cmd.Options.Add(force);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            Show(app, output.Read(parse), engine.CatalogFile.Backup(parse.GetValue(to)!, parse.GetValue(force)));
            return 0;
        });
        return cmd;
    }

    private static Command Restore(CliApp app)
    {
        var cmd = new Command("restore", "Replace the catalog with a copy taken by catalog backup; the current catalog is saved first.");
        var path = new Argument<string>("PATH") { Description = "The catalog backup file." };
        var force = new Option<bool>("--force") { Description = "Restore even while backups are being created, restored or deleted (they are carried forward and end normally)." };
        cmd.Arguments.Add(path);
        cmd.Options.Add(force);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            Show(app, output.Read(parse), engine.CatalogFile.Restore(parse.GetValue(path)!, parse.GetValue(force)));
            return 0;
        });
        return cmd;
    }

    private static void Show(CliApp app, OutputSpec spec, CatalogCopy c)
    {
        var fields = new List<(string, object?)>
        {
            ("path", c.Path), ("size_bytes", c.Length), ("schema_version", c.SchemaVersion), ("volumes", c.Volumes),
            ("snapshots", c.Snapshots), ("backups", c.Backups), ("taken_at", Formats.Time(c.TakenAtUtc)), ("catalog", c.CatalogPath),
        };
        if (c.PreviousCatalogPath is not null)
        {
            fields.Add(("previous_catalog", c.PreviousCatalogPath));
            fields.Add(("carried_forward", string.Join(", ", c.CarriedForward)));
            fields.Add(("adopted", string.Join(", ", c.Adopted)));
        }
        Formatter.ShowOne(app.Out, spec, fields);
    }
}
