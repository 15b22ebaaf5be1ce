using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using CinderBackup.Cli.Output;
using CinderBackup.Cli.Views;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Commands;

/// <summary>
/// <c>volume service list</c>: the backup services and whether they are up; <c>service run</c>: this process as a
/// backup service of its host and zone, until SIGTERM or Ctrl+C.
/// </summary>
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
        service.Subcommands.Add(Set(app));
        return service;
    }

    /// <summary><c>volume service set --enable|--disable [--disable-reason R] HOST SERVICE</c>, as the openstack client has it.</summary>
    private static Command Set(CliApp app)
    {
        var cmd = new Command("set", "Enable or disable a backup service (admin only): a disabled service keeps running but takes no queued work.");
        var host = new Argument<string>("HOST") { Description = "Name of the host (see `volume service list`)." };
        var binary = new Argument<string>("SERVICE") { Description = "Name of the service (binary): cinder-backup." };
        var enable = new Option<bool>("--enable") { Description = "Enable the service." };
        var disable = new Option<bool>("--disable") { Description = "Disable the service." };
        var reason = new Option<string?>("--disable-reason") { Description = "Reason for disabling the service (with --disable)." };
        cmd.Arguments.Add(host);
        cmd.Arguments.Add(binary);
        cmd.Options.Add(enable);
        cmd.Options.Add(disable);
        cmd.Options.Add(reason);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var (on, off) = (parse.GetValue(enable), parse.GetValue(disable));
            if (on == off)
            {
                throw new Engine.Errors.CinderBackupException(Engine.Errors.ErrorIds.InvalidArgument, Engine.Errors.ErrorKind.InvalidArgument,
                    on ? "argument --disable: not allowed with argument --enable" : "Give --enable or --disable.", "--disable");
            }
            engine.Services.Set(parse.GetValue(host)!, parse.GetValue(binary)!, off, parse.GetValue(reason));
            return 0;
        });
        return cmd;
    }

    /// <summary>The top-level <c>service</c> command: <c>service run</c>.</summary>
    public static Command BuildRun(CliApp app)
    {
        var service = new Command("service", "Run this process as a backup service (see `volume service list`).");
        var run = new Command("run",
            "Run a backup service until SIGTERM or Ctrl+C: report this host every report_interval, run the --no-wait operations and " +
            "-AsJob jobs queued for its zone whose volume it can reach, and clean up after hosts silent for service_down_time. " +
            "Start one per host, with the same catalog and repositories; each prints one line per event.");
        var host = new Option<string?>("--host") { Description = "Name of this backup host (default: config 'host', then the machine name)." };
        var zone = new Option<string?>("--storage-availability-zone") { Description = "Availability zone this service serves (default: config 'storage_availability_zone', then nova)." };
        run.Options.Add(host);
        run.Options.Add(zone);
        app.Action(run, parse =>
        {
            using var engine = BackupEngine.Open(app.EngineOptions(parse) with { Host = parse.GetValue(host), AvailabilityZone = parse.GetValue(zone) });
            using var stop = new CancellationTokenSource();
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            engine.Services.Run(line =>
            {
                lock (app.Out)
                {
                    app.Out.WriteLine(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + " " + Engine.Util.PrintableText.Escape(line));
                    app.Out.Flush();
                }
            }, stop.Token);
            return 0;
        });
        service.Subcommands.Add(run);
        return service;
    }
}
