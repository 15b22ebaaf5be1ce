using System.CommandLine;
using CinderBackup.Cli.Output;
using CinderBackup.Cli.Views;

namespace CinderBackup.Cli.Commands;

/// <summary><c>volume service list</c>: the hosts running backup operations and whether they are up.</summary>
internal static class ServiceCommands
{
    public static Command Build(CliApp app)
    {
        var service = new Command("service", "Backup services.");
        var list = new Command("list", "List backup services (Binary, Host, Zone, Status, State, Updated At).");
        var output = CliApp.AddOutputOptions(list, list: true);
        app.EngineAction(list, (parse, engine) =>
        {
            Formatter.ShowList(app.Out, output.Read(parse), new[] { "Binary", "Host", "Zone", "Status", "State", "Updated At" },
                engine.Services.List().Select(s => new object?[] { s.Binary, s.Host, s.Zone, s.Status, s.State, Formats.Time(s.UpdatedAtUtc) }).ToList());
            return 0;
        });
        service.Subcommands.Add(list);
        return service;
    }
}
