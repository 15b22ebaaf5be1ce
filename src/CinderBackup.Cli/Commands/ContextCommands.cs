using System.CommandLine;
using CinderBackup.Cli.Output;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Commands;

/// <summary><c>context show</c>: the identity and files this command line resolves to.</summary>
internal static class ContextCommands
{
    public static Command Build(CliApp app)
    {
        var context = new Command("context", "The identity and configuration commands run with.");
        var show = new Command("show", "Show the project, user, admin flag, config file and data directory in effect.");
        var output = CliApp.AddOutputOptions(show, list: false);
        app.Action(show, parse =>
        {
            var (config, ctx) = BackupEngine.LoadSettings(app.EngineOptions(parse));
            Formatter.ShowOne(app.Out, output.Read(parse), new (string, object?)[]
            {
                ("project", ctx.ProjectName),
                ("user", ctx.UserName),
                ("admin", ctx.IsAdmin),
                ("source", ctx.Source),
                ("config_file", config.SourceFile),
                ("data_directory", config.DataDirectory),
                ("catalog", config.CatalogPath),
            });
            return 0;
        });
        context.Subcommands.Add(show);
        return context;
    }
}
