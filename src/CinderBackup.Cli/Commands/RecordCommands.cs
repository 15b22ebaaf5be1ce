using System.CommandLine;
using CinderBackup.Cli.Output;

namespace CinderBackup.Cli.Commands;

/// <summary><c>volume backup record export|import</c>: Cinder's backup_service and backup_url.</summary>
internal static class RecordCommands
{
    public static Command Build(CliApp app)
    {
        var record = new Command("record", "Export and import backup records (admin only).");
        record.Subcommands.Add(Export(app));
        record.Subcommands.Add(Import(app));
        return record;
    }

    private static Command Export(CliApp app)
    {
        var cmd = new Command("export", "Print a backup's record (backup_service and backup_url).");
        var backup = new Argument<string>("BACKUP") { Description = "Backup name or ID." };
        cmd.Arguments.Add(backup);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var r = engine.Backups.Export(parse.GetValue(backup)!);
            Formatter.ShowOne(app.Out, output.Read(parse), new (string, object?)[] { ("backup_service", r.BackupService), ("backup_url", r.BackupUrl) });
            return 0;
        });
        return cmd;
    }

    private static Command Import(CliApp app)
    {
        var cmd = new Command("import", "Import a backup record.");
        var service = new Argument<string>("BACKUP_SERVICE") { Description = "The record's backup_service." };
        var url = new Argument<string>("BACKUP_URL") { Description = "The record's backup_url." };
        var repository = new Option<string?>("--repository") { Description = "Configured repository the backup is in (default: the first whose driver matches BACKUP_SERVICE)." };
        cmd.Arguments.Add(service);
        cmd.Arguments.Add(url);
        cmd.Options.Add(repository);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var b = engine.Backups.Import(parse.GetValue(service)!, parse.GetValue(url)!, parse.GetValue(repository));
            Formatter.ShowOne(app.Out, output.Read(parse), new (string, object?)[] { ("id", b.Id), ("name", b.Name) });
            return 0;
        });
        return cmd;
    }
}
