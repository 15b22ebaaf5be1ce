using System.CommandLine;
using CinderBackup.Cli.Output;
using CinderBackup.Cli.Views;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Commands;

/// <summary><c>volume backup prune</c>: restic's <c>forget --keep-*</c> over the catalog, never breaking a chain.</summary>
internal static class PruneCommand
{
    public static Command Build(CliApp app)
    {
        var cmd = new Command("prune",
            "Delete the available backups a retention policy does not keep, per volume, newest first; a kept incremental keeps its parents. " +
            "Days, ISO weeks and months are UTC. Lists every backup considered with its action (keep, remove, removed, failed) and why; exit code 1 if a removal failed.");
        var last = new Option<int?>("--keep-last") { Description = "Keep the newest N backups of each volume.", HelpName = "N" };
        var daily = new Option<int?>("--keep-daily") { Description = "Keep the newest backup of each of the last N days that have one.", HelpName = "N" };
        var weekly = new Option<int?>("--keep-weekly") { Description = "Keep the newest backup of each of the last N ISO weeks that have one.", HelpName = "N" };
        var monthly = new Option<int?>("--keep-monthly") { Description = "Keep the newest backup of each of the last N months that have one.", HelpName = "N" };
        var volume = new Option<string?>("--volume") { Description = "Only the backups of this volume (name or ID); default: each volume of the project." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Delete nothing; show what would be kept and removed (action 'remove')." };
        foreach (var o in new Option[] { last, daily, weekly, monthly, volume, dryRun })
        {
            cmd.Options.Add(o);
        }
        var output = CliApp.AddOutputOptions(cmd, list: true);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var policy = new RetentionPolicy { Last = parse.GetValue(last), Daily = parse.GetValue(daily), Weekly = parse.GetValue(weekly), Monthly = parse.GetValue(monthly) };
            var decisions = engine.Backups.Prune(policy, parse.GetValue(volume), parse.GetValue(dryRun));
            Formatter.ShowList(app.Out, output.Read(parse), new[] { "ID", "Name", "Volume", "Created At", "Action", "Reason" },
                decisions.Select(d => new object?[] { d.BackupId, d.Name, d.VolumeId, Formats.Time(d.CreatedAtUtc), d.Action, d.Reason }).ToList());
            var kept = decisions.Count(d => d.Kept);
            var gone = decisions.Count(d => d.Action is "remove" or "removed");
            var failed = decisions.Count(d => d.Action == "failed");
            app.Warn($"Policy {policy}: {kept} kept, {gone} {(parse.GetValue(dryRun) ? "would be removed (dry run)" : "removed")}" +
                (failed > 0 ? $", {failed} failed to delete." : "."));
            return failed > 0 ? 1 : 0;
        });
        return cmd;
    }
}
