using System.CommandLine;
using CinderBackup.Cli.Commands;

namespace CinderBackup.Cli;

/// <summary>The <c>cinder-backup</c> command: the openstack client's `volume ...` syntax over the engine.</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable);

    /// <summary>Runs one command line; tests call this in-process with their own writers and environment.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        var app = new CliApp(stdout, stderr, environment);
        var root = new RootCommand("CinderBackup: Cinder-compatible volume backups without an OpenStack cloud.");
        root.Options.Add(app.ConfigOption);
        root.Options.Add(app.ProjectOption);
        root.Options.Add(app.UserOption);
        root.Options.Add(app.AdminOption);
        root.Options.Add(app.TokenOption);
        root.Options.Add(app.DebugOption);
        var keystone = new KeystoneOptions(root);
        root.Subcommands.Add(VolumeCommands.Build(app));
        root.Subcommands.Add(QuotaCommands.Build(app));
        root.Subcommands.Add(ContextCommands.Build(app));
        root.Subcommands.Add(Worker.Build(app));
        root.Subcommands.Add(ServiceCommands.BuildRun(app));
        root.Subcommands.Add(RepositoryCommands.Build(app));
        root.Subcommands.Add(CatalogCommands.Build(app));
        root.Subcommands.Add(BenchCommand.Build(app));
        foreach (var command in CinderClientCommands.Build(app))
        {
            root.Subcommands.Add(command);
        }

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // Like argparse: usage errors on stderr, exit code 2, no help dump on stdout.
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine($"cinder-backup: error: {error.Message}");
            }
            stderr.WriteLine($"Run '{string.Join(' ', CommandPath(parse))} --help' for usage.");
            return 2;
        }
        if (keystone.Note(parse) is string note)
        {
            stderr.WriteLine(note);
        }
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        return parse.Invoke(config);
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, r.Command is RootCommand ? "cinder-backup" : r.Command.Name);
        }
        return names;
    }
}
