using System.CommandLine;
using CinderBackup.Cli.Output;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.Util;

namespace CinderBackup.Cli;

/// <summary>
/// Global options, engine opening, output options and error handling shared by every verb. A verb's action
/// parses its arguments, makes one engine call and prints the result.
/// </summary>
internal sealed class CliApp
{
    public readonly Option<string?> ConfigOption = new("--config") { Recursive = true, Description = "Configuration file (default: $CINDERBACKUP_CONFIG, then ~/.config/cinderbackup/cinderbackup.yaml)." };
    public readonly Option<string?> ProjectOption = new("--os-project-name") { Recursive = true, Description = "Project to run as (default: config, then $OS_PROJECT_NAME)." };
    public readonly Option<string?> UserOption = new("--os-username") { Recursive = true, Description = "User to run as (default: config, then $OS_USERNAME)." };
    public readonly Option<bool?> AdminOption = new("--os-admin") { Recursive = true, Description = "Run with (true) or without (false) the admin role." };
    public readonly Option<string?> TokenOption = new("--os-token") { Recursive = true, Description = "Keystone token for Swift repositories with backup_swift_auth: per_user (default: $OS_AUTH_TOKEN); never shown or logged." };
    public readonly Option<bool> DebugOption = new("--debug") { Recursive = true, Description = "Show details and stack traces of errors." };

    public CliApp(TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        Out = stdout;
        Err = stderr;
        Environment = environment;
    }

    public TextWriter Out { get; }

    public TextWriter Err { get; }

    public Func<string, string?> Environment { get; }

    public EngineOptions EngineOptions(ParseResult parse) => new()
    {
        ConfigPath = parse.GetValue(ConfigOption),
        ProjectName = parse.GetValue(ProjectOption),
        UserName = parse.GetValue(UserOption),
        Admin = parse.GetValue(AdminOption),
        OsToken = parse.GetValue(TokenOption),
        Environment = Environment,
        Detail = parse.GetValue(DebugOption) ? message => { lock (Err) { Warn("DEBUG: " + message); } } : null,
    };

    public BackupEngine Open(ParseResult parse) => BackupEngine.Open(EngineOptions(parse));

    /// <summary>Sets a verb's action: exceptions become a message on stderr and exit code 1.</summary>
    public void Action(Command command, Func<ParseResult, int> body)
    {
        command.SetAction(parse =>
        {
            try
            {
                return body(parse);
            }
            catch (Exception e)
            {
                ReportError(parse, e, null);
                return 1;
            }
        });
    }

    /// <summary>Action for verbs that need the engine.</summary>
    public void EngineAction(Command command, Func<ParseResult, BackupEngine, int> body) =>
        Action(command, parse =>
        {
            using var engine = Open(parse);
            return body(parse, engine);
        });

    public void ReportError(ParseResult parse, Exception e, string? prefix)
    {
        var debug = parse.GetValue(DebugOption);
        Warn((prefix ?? "") + Describe(e));
        if (debug)
        {
            Warn(e.ToString());
        }
    }

    /// <summary>A line on stderr, its control characters (from names, object names, messages) shown as <c>\uXXXX</c>.</summary>
    public void Warn(string line) => Err.WriteLine(PrintableText.Escape(line, keepNewlines: true));

    /// <summary>The message, with the HTTP status Cinder's API would have answered, as the openstack client shows.</summary>
    public static string Describe(Exception e)
    {
        if (e is CinderBackupException cb)
        {
            var http = Http(cb);
            return http is null ? cb.Message : cb.Kind == ErrorKind.QuotaExceeded ? $"{cb.ErrorId}: {cb.Message} (HTTP {http})" : $"{cb.Message} (HTTP {http})";
        }
        if (e is OperationCanceledException)
        {
            return "Operation cancelled.";
        }
        return $"Unexpected error: {e.GetType().Name}: {e.Message}";
    }

    private static int? Http(CinderBackupException e)
    {
        if (e.ErrorId.StartsWith("Catalog", StringComparison.Ordinal) || e.ErrorId.StartsWith("Config", StringComparison.Ordinal))
        {
            return null;
        }
        return e.Kind switch
        {
            ErrorKind.InvalidArgument or ErrorKind.InvalidState or ErrorKind.Conflict => 400,
            ErrorKind.PermissionDenied => 403,
            ErrorKind.QuotaExceeded => 413,
            _ => null,
        };
    }

    /// <summary>A progress bar on stderr when it is a terminal (nothing otherwise, so scripts see clean output).</summary>
    public IProgress<TransferProgress>? ProgressBar(string activity) =>
        ReferenceEquals(Err, Console.Error) && !Console.IsErrorRedirected ? new ProgressBar(Err, activity) : null;

    // ---- output options ----

    public sealed class OutputOptions
    {
        public required Option<string> Format { get; init; }
        public required Option<string[]> Columns { get; init; }
        public required Option<bool> NoIndent { get; init; }
        public required Option<string> Prefix { get; init; }

        public OutputSpec Read(ParseResult parse) => new(
            parse.GetValue(Format) ?? "table",
            parse.GetValue(Columns) ?? Array.Empty<string>(),
            parse.GetValue(NoIndent),
            parse.GetValue(Prefix) ?? "");
    }

    /// <summary>Adds -f/-c/--noindent/--prefix to a show (single record) or list command.</summary>
    public static OutputOptions AddOutputOptions(Command command, bool list)
    {
        var formats = list ? Formatter.ListFormats : Formatter.Formats;
        var options = new OutputOptions
        {
            Format = new Option<string>("--format", "-f") { Description = $"Output format: {string.Join(", ", formats)} (default: table).", DefaultValueFactory = _ => "table", HelpName = "FORMAT" },
            Columns = new Option<string[]>("--column", "-c") { Description = "Column to include; repeat to show several.", HelpName = "COLUMN" },
            NoIndent = new Option<bool>("--noindent") { Description = "Do not indent JSON." },
            Prefix = new Option<string>("--prefix") { Description = "Prefix for shell variable names (letters, digits and '_'). -f shell quotes every value so that eval assigns it and runs nothing.", DefaultValueFactory = _ => "" },
        };
        options.Format.AcceptOnlyFromAmong(formats);
        command.Options.Add(options.Format);
        command.Options.Add(options.Columns);
        command.Options.Add(options.NoIndent);
        if (!list)
        {
            command.Options.Add(options.Prefix);
        }
        return options;
    }
}
