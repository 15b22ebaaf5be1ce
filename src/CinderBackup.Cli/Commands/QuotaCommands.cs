using System.CommandLine;
using CinderBackup.Cli.Output;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Commands;

/// <summary><c>quota show|set|usage</c>: backup quotas, as `openstack quota` and `cinder quota-usage` show them.</summary>
internal static class QuotaCommands
{
    public static Command Build(CliApp app)
    {
        var quota = new Command("quota", "Backup quotas of a project.");
        quota.Subcommands.Add(Show(app));
        quota.Subcommands.Add(Set(app));
        quota.Subcommands.Add(Usage(app));
        return quota;
    }

    private static Argument<string?> Project() =>
        new("PROJECT") { Description = "Project (default: the caller's project).", Arity = ArgumentArity.ZeroOrOne };

    private static Command Show(CliApp app)
    {
        var cmd = new Command("show", "Show a project's backup quotas.");
        var project = Project();
        cmd.Arguments.Add(project);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var q = engine.Quotas.Get(parse.GetValue(project));
            Formatter.ShowOne(app.Out, output.Read(parse), new (string, object?)[] { ("backup-gigabytes", q.BackupGigabytes), ("backups", q.Backups) });
            return 0;
        });
        return cmd;
    }

    private static Command Set(CliApp app)
    {
        var cmd = new Command("set", "Set a project's backup quotas (admin only; -1 is unlimited).");
        var project = new Argument<string>("PROJECT") { Description = "Project." };
        var backups = new Option<string?>("--backups") { Description = "Maximum number of backups.", HelpName = "N" };
        var gigabytes = new Option<string?>("--backup-gigabytes") { Description = "Maximum total GiB of backups.", HelpName = "N" };
        cmd.Arguments.Add(project);
        cmd.Options.Add(backups);
        cmd.Options.Add(gigabytes);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var b = parse.GetValue(backups) is string rb ? QuotaApi.ParseLimit("backups", rb) : (int?)null;
            var g = parse.GetValue(gigabytes) is string rg ? QuotaApi.ParseLimit("backup_gigabytes", rg) : (int?)null;
            engine.Quotas.Set(parse.GetValue(project)!, b, g);
            return 0;
        });
        return cmd;
    }

    private static Command Usage(CliApp app)
    {
        var cmd = new Command("usage", "Show a project's backup quota usage (like cinder quota-usage).");
        var project = Project();
        cmd.Arguments.Add(project);
        var output = CliApp.AddOutputOptions(cmd, list: true);
        app.EngineAction(cmd, (parse, engine) =>
        {
            Formatter.ShowList(app.Out, output.Read(parse), new[] { "Type", "In_use", "Reserved", "Limit", "Allocated" },
                engine.Quotas.Usage(parse.GetValue(project)).Select(u => new object?[] { u.Type, u.InUse, u.Reserved, u.Limit, "" }).ToList());
            return 0;
        });
        return cmd;
    }
}
