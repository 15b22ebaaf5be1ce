using System.CommandLine;
using CinderBackup.Cli.Output;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Commands;

/// <summary><c>quota show|set|usage</c>: backup and volume quotas, as `openstack quota` and `cinder quota-usage` show them.</summary>
internal static class QuotaCommands
{
    public static Command Build(CliApp app)
    {
        var quota = new Command("quota", "Backup and volume quotas of a project.");
        quota.Subcommands.Add(Show(app));
        quota.Subcommands.Add(Set(app));
        quota.Subcommands.Add(Usage(app));
        return quota;
    }

    private static Argument<string?> Project() =>
        new("PROJECT") { Description = "Project (default: the caller's project).", Arity = ArgumentArity.ZeroOrOne };

    private static Command Show(CliApp app)
    {
        var cmd = new Command("show", "Show a project's quotas: backup-gigabytes, backups, gigabytes (of volumes), volumes.");
        var project = Project();
        cmd.Arguments.Add(project);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var q = engine.Quotas.Get(parse.GetValue(project));
            Formatter.ShowOne(app.Out, output.Read(parse), new (string, object?)[]
            {
                ("backup-gigabytes", q.BackupGigabytes), ("backups", q.Backups), ("gigabytes", q.Gigabytes), ("volumes", q.Volumes),
            });
            return 0;
        });
        return cmd;
    }

    private static Command Set(CliApp app)
    {
        var cmd = new Command("set", "Set a project's quotas (admin only; -1 is unlimited).");
        var project = new Argument<string>("PROJECT") { Description = "Project." };
        var backups = new Option<string?>("--backups") { Description = "Maximum number of backups.", HelpName = "N" };
        var gigabytes = new Option<string?>("--backup-gigabytes") { Description = "Maximum total GiB of backups.", HelpName = "N" };
        var volumes = new Option<string?>("--volumes") { Description = "Maximum number of volumes (created, restored into new ones, registered).", HelpName = "N" };
        var volumeGigabytes = new Option<string?>("--gigabytes") { Description = "Maximum total GiB of volumes.", HelpName = "N" };
        cmd.Arguments.Add(project);
        foreach (var o in new[] { backups, gigabytes, volumes, volumeGigabytes })
        {
            cmd.Options.Add(o);
        }
        app.EngineAction(cmd, (parse, engine) =>
        {
            int? Limit(Option<string?> option, string resource) => parse.GetValue(option) is string raw ? QuotaApi.ParseLimit(resource, raw) : null;
            engine.Quotas.Set(parse.GetValue(project)!, Limit(backups, "backups"), Limit(gigabytes, "backup_gigabytes"),
                Limit(volumes, "volumes"), Limit(volumeGigabytes, "gigabytes"));
            return 0;
        });
        return cmd;
    }

    private static Command Usage(CliApp app)
    {
        var cmd = new Command("usage", "Show a project's quota usage of every resource: backup_gigabytes, backups, gigabytes, volumes (like cinder quota-usage).");
        var project = Project();
        cmd.Arguments.Add(project);
        var output = CliApp.AddOutputOptions(cmd, list: true);
        app.EngineAction(cmd, (parse, engine) =>
        {
            ShowUsage(app.Out, output.Read(parse), engine, parse.GetValue(project));
            return 0;
        });
        return cmd;
    }

    /// <summary>The usage table, as `cinder quota-usage` prints it (also its top-level form).</summary>
    public static void ShowUsage(TextWriter w, OutputSpec spec, BackupEngine engine, string? project) =>
        Formatter.ShowList(w, spec, new[] { "Type", "In_use", "Reserved", "Limit", "Allocated" },
            engine.Quotas.Usage(project).Select(u => new object?[] { u.Type, u.InUse, u.Reserved, u.Limit, "" }).ToList());
}
