using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Cli.Commands;

/// <summary>
/// --no-wait: the command prepares the operation (the backup row in creating/restoring, as Cinder's API does),
/// hands the work to a detached `cinder-backup worker` process and returns at once. The worker claims the
/// operation in the catalog with the one-time claim token the command hands it in its environment (never on its
/// command line, which every user can read), then runs it (heartbeat, progress); start-up recovery cleans up if it
/// dies. A worker without the token, with a spent one, or of another project, is refused and changes nothing.
/// </summary>
internal static class Worker
{
    /// <summary>The environment variable that carries the claim token to the worker.</summary>
    public const string TokenVariable = "CINDERBACKUP_CLAIM_TOKEN";

    public static Command Build(CliApp app)
    {
        var cmd = new Command("worker", "Runs a prepared operation (used by --no-wait).") { Hidden = true };
        var kind = new Argument<string>("KIND");
        var id = new Argument<string>("BACKUP_ID");
        cmd.Arguments.Add(kind);
        cmd.Arguments.Add(id);
        app.EngineAction(cmd, (parse, engine) =>
        {
            var backupId = parse.GetValue(id)!;
            var token = Environment.GetEnvironmentVariable(TokenVariable);
            switch (parse.GetValue(kind))
            {
                case "create":
                    engine.Backups.RunCreate(backupId, claimToken: token); // the compression is on the row
                    return 0;
                case "restore":
                    engine.Backups.RunRestore(backupId, claimToken: token);
                    return 0;
                default:
                    throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument, "Unknown worker kind.", parse.GetValue(kind));
            }
        });
        return cmd;
    }

    /// <summary>Starts a detached worker for <paramref name="backupId"/> and waits until it has claimed the operation.</summary>
    public static void Start(CliApp app, ParseResult parse, BackupEngine engine, string kind, string backupId)
    {
        var args = new List<string> { "worker", kind, backupId };
        var options = app.EngineOptions(parse);
        if (options.ConfigPath is not null)
        {
            args.AddRange(new[] { "--config", Path.GetFullPath(options.ConfigPath) });
        }
        if (options.ProjectName is not null)
        {
            args.AddRange(new[] { "--os-project-name", options.ProjectName });
        }
        if (options.UserName is not null)
        {
            args.AddRange(new[] { "--os-username", options.UserName });
        }
        if (options.Admin is bool admin)
        {
            args.AddRange(new[] { "--os-admin", admin ? "true" : "false" });
        }
        var token = engine.Backups.HandOff(backupId);
        var self = SelfCommand();
        var log = Path.Combine(engine.Config.DataDirectory, "cinder-backup-worker.log");
        CreatePrivate(log);
        ProcessStartInfo psi;
        if (!OperatingSystem.IsWindows() && File.Exists("/bin/sh"))
        {
            // A new session (setsid) survives the terminal closing; output is appended to the worker log.
            psi = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "/bin/sh");
            if (psi.FileName.EndsWith("setsid", StringComparison.Ordinal))
            {
                psi.ArgumentList.Add("/bin/sh");
            }
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec \"$@\" </dev/null >>\"$CINDERBACKUP_WORKER_LOG\" 2>&1");
            psi.ArgumentList.Add("cinder-backup-worker");
            foreach (var a in self.Concat(args))
            {
                psi.ArgumentList.Add(a);
            }
            psi.Environment["CINDERBACKUP_WORKER_LOG"] = log;
        }
        else
        {
            psi = new ProcessStartInfo(self[0]) { CreateNoWindow = true };
            foreach (var a in self.Skip(1).Concat(args))
            {
                psi.ArgumentList.Add(a);
            }
        }
        psi.UseShellExecute = false;
        psi.Environment[TokenVariable] = token;
        if (!string.IsNullOrEmpty(options.OsToken))
        {
            psi.Environment["OS_AUTH_TOKEN"] = options.OsToken; // never on the command line, where ps shows it
        }
        Process? worker = null;
        try
        {
            worker = Process.Start(psi);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            FailToStart(engine, backupId, $"cannot start a worker process: {e.Message}");
        }
        using (worker)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (engine.Backups.OwnerProcess(backupId) == Environment.ProcessId)
            {
                if (DateTime.UtcNow > deadline)
                {
                    FailToStart(engine, backupId, $"the worker process did not start within 30 seconds (see {log})");
                    return;
                }
                // (A zero exit may be setsid's own, when it had to fork; only a failure says the worker is gone.)
                if (worker is { HasExited: true, ExitCode: not 0 } && engine.Backups.OwnerProcess(backupId) == Environment.ProcessId)
                {
                    FailToStart(engine, backupId, $"the worker process ended before it took the operation (see {log})");
                    return;
                }
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>
    /// The worker log gets the workers' error messages: owner only, as the catalog and the event log are. The shell's
    /// redirection would create it with the umask's mode (usually 0644).
    /// </summary>
    private static void CreatePrivate(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        try
        {
            using (new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Append, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
            }
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // one an older version made
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left to the shell's redirection, which reports a log it cannot open.
        }
    }

    private static void FailToStart(BackupEngine engine, string backupId, string reason)
    {
        // Run the operation's failure path here so nothing is left half done - unless the worker took it at the last moment.
        if (engine.Backups.Abandon(backupId, reason))
        {
            throw new CinderBackupException(ErrorIds.BackupFailed, ErrorKind.IOError, $"Backup {backupId}: {reason}.", backupId);
        }
    }

    /// <summary>How to run this program again: the app host itself, or dotnet and our assembly.</summary>
    private static List<string> SelfCommand()
    {
        var host = Environment.ProcessPath!;
        var entry = Assembly.GetEntryAssembly()!.Location;
        return Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? new List<string> { host, entry }
            : new List<string> { host };
    }
}
