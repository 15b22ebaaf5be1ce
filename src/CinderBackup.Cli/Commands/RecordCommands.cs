using System.CommandLine;
using CinderBackup.Cli.Output;
using CinderBackup.Cli.Views;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;

namespace CinderBackup.Cli.Commands;

/// <summary>
/// <c>volume backup record export|import|discover</c>: Cinder's backup_service and backup_url, record files, and
/// records rebuilt from a repository.
/// </summary>
internal static class RecordCommands
{
    public static Command Build(CliApp app)
    {
        var record = new Command("record", "Export, import and discover backup records (admin only).");
        record.Subcommands.Add(Export(app));
        record.Subcommands.Add(Import(app));
        record.Subcommands.Add(Discover(app));
        return record;
    }

    private static Command Export(CliApp app)
    {
        var cmd = new Command("export", "Print a backup's record (backup_service and backup_url); save it with -f yaml BACKUP > FILE.yaml.");
        var backup = new Argument<string>("BACKUP") { Description = "Backup name or ID." };
        var parents = new Option<bool>("--include-parents") { Description = "Also print the records of the backups an incremental needs, the full backup first (YAML documents separated by ---)." };
        cmd.Arguments.Add(backup);
        cmd.Options.Add(parents);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var records = engine.Records.Export(parse.GetValue(backup)!, parse.GetValue(parents));
            var spec = output.Read(parse);
            if (records.Count > 1 && spec.Format == "json")
            {
                // One JSON document: a list of records.
                app.Out.Write(PyJson.Dumps(records.Select(r => (object?)new List<KeyValuePair<string, object?>>
                {
                    new("backup_service", r.BackupService), new("backup_url", r.BackupUrl),
                }).ToList(), spec.NoIndent ? null : 2));
                app.Out.Write('\n');
                return 0;
            }
            for (var i = 0; i < records.Count; i++)
            {
                if (i > 0)
                {
                    app.Out.Write(spec.Format == "yaml" ? "---\n" : "\n");
                }
                Formatter.ShowOne(app.Out, spec, new (string, object?)[] { ("backup_service", records[i].BackupService), ("backup_url", records[i].BackupUrl) });
            }
            return 0;
        });
        return cmd;
    }

    private static Command Import(CliApp app)
    {
        var cmd = new Command("import", "Import backup records: BACKUP_SERVICE BACKUP_URL, or record files (--file), parents first, all or nothing.");
        var service = new Argument<string?>("BACKUP_SERVICE") { Description = "The record's backup_service.", Arity = ArgumentArity.ZeroOrOne };
        var url = new Argument<string?>("BACKUP_URL") { Description = "The record's backup_url.", Arity = ArgumentArity.ZeroOrOne };
        var files = new Option<string[]>("--file") { Description = "A record file (what export -f yaml prints; several records as YAML documents). Repeatable.", AllowMultipleArgumentsPerToken = false };
        var repository = new Option<string?>("--repository") { Description = "Configured repository the backups are in (default: the first whose driver matches BACKUP_SERVICE)." };
        var verify = new Option<bool>("--verify") { Description = "Accept a record only if the repository holds its _metadata and every object it names." };
        cmd.Arguments.Add(service);
        cmd.Arguments.Add(url);
        cmd.Options.Add(files);
        cmd.Options.Add(repository);
        cmd.Options.Add(verify);
        var output = CliApp.AddOutputOptions(cmd, list: false);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var records = new List<BackupRecord>();
            var s = parse.GetValue(service);
            var u = parse.GetValue(url);
            if (s is not null && u is null)
            {
                throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument, "BACKUP_URL is missing: give BACKUP_SERVICE and BACKUP_URL, or --file.");
            }
            if (s is not null)
            {
                records.Add(new BackupRecord { BackupService = s, BackupUrl = u! });
            }
            foreach (var f in parse.GetValue(files) ?? Array.Empty<string>())
            {
                records.AddRange(RecordApi.ReadFile(f));
            }
            if (records.Count == 0)
            {
                throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument, "Nothing to import: give BACKUP_SERVICE and BACKUP_URL, or --file.");
            }
            var result = engine.Records.Import(records, parse.GetValue(repository), parse.GetValue(verify));
            foreach (var w in result.Warnings)
            {
                app.Warn("WARNING: " + w);
            }
            var spec = output.Read(parse);
            if (result.Backups.Count == 1)
            {
                Formatter.ShowOne(app.Out, spec, new (string, object?)[] { ("id", result.Backups[0].Id), ("name", result.Backups[0].Name) });
            }
            else
            {
                Formatter.ShowList(app.Out, ListSpec(spec), new[] { "ID", "Name", "Parent", "Size" },
                    result.Backups.Select(b => new object?[] { b.Id, b.Name, b.ParentId, b.Size }).ToList());
            }
            return 0;
        });
        return cmd;
    }

    private static Command Discover(CliApp app)
    {
        var cmd = new Command("discover", "Rebuild backup records from a repository's _metadata documents and import the ones the catalog lacks.");
        var repository = new Option<string?>("--repository") { Description = "Configured repository to scan (default: the default repository)." };
        var container = new Option<string?>("--container") { Description = "Scan only this container (and the directories under it)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only report what would be imported." };
        var verbose = new Option<bool>("--long") { Description = "Also show container, volume, created at and problems." };
        cmd.Options.Add(repository);
        cmd.Options.Add(container);
        cmd.Options.Add(dryRun);
        cmd.Options.Add(verbose);
        var output = CliApp.AddOutputOptions(cmd, list: true);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var found = engine.Records.Discover(parse.GetValue(repository), parse.GetValue(container));
            var toImport = found.Where(f => f.Record is { InCatalog: false }).Select(f => f.Record!).ToList();
            var imported = new HashSet<string>(StringComparer.Ordinal);
            if (!parse.GetValue(dryRun) && toImport.Count > 0)
            {
                var result = engine.Records.Import(toImport);
                foreach (var w in result.Warnings)
                {
                    app.Warn("WARNING: " + w);
                }
                imported.UnionWith(result.Backups.Select(b => b.Id));
            }
            string State(DiscoveredBackup f) => f.Status switch
            {
                DiscoveryStatus.Complete when f.Record!.InCatalog => "in catalog",
                DiscoveryStatus.Complete => imported.Contains(f.BackupId) ? "imported" : "to import",
                var s => s.ToString().ToLowerInvariant(),
            };
            var problems = found.Where(f => f.Problem is not null).ToList();
            foreach (var p in problems)
            {
                app.Warn((p.Status == DiscoveryStatus.Incomplete ? "WARNING: " : "ERROR: ") + p.Problem);
            }
            var rows = found.Select(f => new object?[]
            {
                f.BackupId, f.Record?.Name, f.Record?.ParentId, f.Record?.Size, State(f),
                f.Container, f.Record?.VolumeId, f.Record?.CreatedAtUtc is DateTime t ? Formats.Time(t) : null, f.Problem,
            }).ToList();
            var columns = new[] { "ID", "Name", "Parent", "Size", "Status", "Container", "Volume", "Created At", "Problem" };
            var shown = parse.GetValue(verbose) ? columns.Length : 5;
            Formatter.ShowList(app.Out, output.Read(parse), columns[..shown], rows.Select(r => r[..shown]).ToList());
            return problems.Any(p => p.Status != DiscoveryStatus.Incomplete) ? 1 : 0;
        });
        return cmd;
    }

    private static OutputSpec ListSpec(OutputSpec spec) => spec.Format == "shell" ? spec with { Format = "table" } : spec;
}
