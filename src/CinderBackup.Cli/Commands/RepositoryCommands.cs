using System.CommandLine;
using CinderBackup.Cli.Output;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Commands;

/// <summary><c>repository list|show</c>: the configured repositories and whether they can be reached.</summary>
internal static class RepositoryCommands
{
    public static Command Build(CliApp app)
    {
        var repository = new Command("repository", "Configured backup repositories (posix, nfs, s3, ceph).");
        repository.Subcommands.Add(List(app));
        repository.Subcommands.Add(Show(app));
        return repository;
    }

    private static Command List(CliApp app)
    {
        var cmd = new Command("list", "List the configured repositories and whether each can be reached (exit code 1, and a line on stderr for each, when one cannot).");
        var longFormat = new Option<bool>("--long") { Description = "List additional fields." };
        var noCheck = new Option<bool>("--no-check") { Description = "Do not contact the repositories (Reachable is then empty)." };
        cmd.Options.Add(longFormat);
        cmd.Options.Add(noCheck);
        var output = CliApp.AddOutputOptions(cmd, list: true);
        app.Action(cmd, parse =>
        {
            var (config, _) = BackupEngine.LoadSettings(app.EngineOptions(parse));
            var repositories = new RepositoryApi(config).List(!parse.GetValue(noCheck));
            var isLong = parse.GetValue(longFormat);
            var columns = new List<string> { "Name", "Driver", "Location", "Default", "Reachable", "Problem" };
            if (isLong)
            {
                columns.InsertRange(5, new[] { "Service", "Container", "Object Size", "Hash Block Size", "Credentials" });
            }
            Formatter.ShowList(app.Out, output.Read(parse), columns, repositories.Select(r =>
            {
                var row = new List<object?> { r.Name, r.Driver, Location(r), r.IsDefault, r.Reachable, r.Problem };
                if (isLong)
                {
                    row.InsertRange(5, new object?[] { r.Service, r.DefaultContainer, r.ObjectSize, r.ShaBlockSize, r.CredentialSource });
                }
                return row.ToArray();
            }).ToList());
            // A script that checks its repositories before a backup run must see one that does not answer.
            var down = repositories.Where(r => r.Reachable == false).ToList();
            foreach (var r in down)
            {
                app.Warn($"Repository '{r.Name}' cannot be reached: {r.Problem}");
            }
            return down.Count > 0 ? 1 : 0;
        });
        return cmd;
    }

    private static Command Show(CliApp app)
    {
        var cmd = new Command("show", "Show one repository and check that it can be reached (exit code 1 when it cannot).");
        var name = new Argument<string>("REPOSITORY") { Description = "Repository name." };
        var noCheck = new Option<bool>("--no-check") { Description = "Do not contact the repository." };
        cmd.Arguments.Add(name);
        cmd.Options.Add(noCheck);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.Action(cmd, parse =>
        {
            var (config, _) = BackupEngine.LoadSettings(app.EngineOptions(parse));
            var r = new RepositoryApi(config).Get(parse.GetValue(name)!, !parse.GetValue(noCheck));
            Formatter.ShowOne(app.Out, output.Read(parse), new (string, object?)[]
            {
                ("name", r.Name),
                ("driver", r.Driver),
                ("service", r.Service),
                ("location", r.Location),
                ("share", r.Share),
                ("default_container", r.DefaultContainer),
                ("is_default", r.IsDefault),
                ("reachable", r.Reachable),
                ("problem", r.Problem),
                ("object_size", r.ObjectSize),
                ("sha_block_size", r.ShaBlockSize),
                ("credentials", r.CredentialSource),
            });
            if (r.Reachable == false)
            {
                app.Warn($"Repository '{r.Name}' cannot be reached: {r.Problem}");
                return 1;
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>posix: the directory; nfs: share on mount point; s3: endpoint/bucket.</summary>
    private static string Location(BackupRepository r) => r.Driver switch
    {
        "s3" or "swift" => $"{r.Location}/{r.DefaultContainer}",
        "nfs" when r.Share is not null => $"{r.Share} on {r.Location}",
        _ => r.Location,
    };
}
