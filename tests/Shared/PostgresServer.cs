using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace CinderBackup.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL 15 cluster for tests: initdb into a temporary directory as an unprivileged user (initdb and
/// postgres refuse root: the <c>postgres</c> system user when the tests run as root), pg_ctl on a free loopback port,
/// password (scram) logins over TCP, stopped and removed when the test process exits, and a cluster left by a test
/// process that was killed is stopped and removed by the next one. <see cref="Shared"/> is the one cluster of a
/// test process; <see cref="CreateDatabase"/> gives each test a database of its own.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";
    public const string Superuser = "postgres";

    /// <summary>CINDERBACKUP_TEST_CATALOG=postgresql runs the tests' catalogs on PostgreSQL (<see cref="TempHome"/>).</summary>
    public const string SwitchVariable = "CINDERBACKUP_TEST_CATALOG";

    private const string DirPrefix = "cbpg-";
    private static readonly object Gate = new();
    private static PostgresServer? _shared;
    private readonly object _templateGate = new();
    private string? _template;
    private readonly string? _runAs;
    private bool _stopped;

    public static bool Selected =>
        string.Equals(Environment.GetEnvironmentVariable(SwitchVariable), "postgresql", StringComparison.OrdinalIgnoreCase);

    public static bool Installed => File.Exists(Path.Combine(BinDirectory, "pg_ctl"));

    /// <summary>The test process's cluster, started on first use.</summary>
    public static PostgresServer Shared
    {
        get
        {
            lock (Gate)
            {
                if (_shared is null)
                {
                    _shared = new PostgresServer();
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => _shared.Dispose();
                }
                return _shared;
            }
        }
    }

    public PostgresServer()
    {
        if (!Installed)
        {
            throw new InvalidOperationException($"PostgreSQL 15 is not installed ({BinDirectory}): apt-get install postgresql-15.");
        }
        _runAs = IsRoot() ? Superuser : null;
        RemoveAbandoned();
        Root = Path.Combine(Path.GetTempPath(), $"{DirPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        DataDirectory = Path.Combine(Root, "data");
        Directory.CreateDirectory(Path.Combine(Root, "sock"));
        File.WriteAllText(Path.Combine(Root, "owner.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Password = Guid.NewGuid().ToString("N");
        File.WriteAllText(Path.Combine(Root, "pwfile"), Password + "\n");
        try
        {
            if (_runAs is not null)
            {
                Run("chown", "-R", $"{_runAs}:", Root);
            }
            Run("chmod", "700", Root);
            RunPg("initdb", "-D", DataDirectory, "-U", Superuser, "--auth-local=trust", "--auth-host=scram-sha-256",
                $"--pwfile={Path.Combine(Root, "pwfile")}", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
            File.Delete(Path.Combine(Root, "pwfile"));
            for (var attempt = 0; ; attempt++)
            {
                Port = MotoServer.FreePort();
                try
                {
                    RunPg("pg_ctl", "-D", DataDirectory, "-l", Path.Combine(Root, "pg.log"), "-w", "-t", "30", "-o",
                        $"-p {Port} -k {Path.Combine(Root, "sock")} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " +
                        "-c full_page_writes=off -c shared_buffers=32MB -c max_connections=200", "start");
                    break;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                    // The port was taken between choosing and binding it.
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Root { get; }

    public string DataDirectory { get; }

    public int Port { get; private set; }

    /// <summary>The superuser's password (logins over TCP ask for one).</summary>
    public string Password { get; }

    /// <summary>A URL for <paramref name="database"/> as <paramref name="user"/> (no password: that goes in PGPASSWORD).</summary>
    public string Url(string database, string user = Superuser) => $"postgresql://{user}@127.0.0.1:{Port}/{database}";

    /// <summary>A new empty database; its name.</summary>
    public string CreateDatabase()
    {
        var name = "cbt_" + Guid.NewGuid().ToString("N")[..16];
        Sql("postgres", $"CREATE DATABASE {name}");
        return name;
    }

    /// <summary>
    /// A new database with the catalog's schema already in it: a copy (CREATE DATABASE ... TEMPLATE) of one database the
    /// engine migrated once per test process, so a test does not pay for the migrations (the tests of migrating an empty
    /// database use <see cref="CreateDatabase"/>).
    /// </summary>
    public string CreateCatalogDatabase()
    {
        lock (_templateGate)
        {
            if (_template is null)
            {
                var template = CreateDatabase();
                var home = Path.Combine(Root, "template-home");
                Directory.CreateDirectory(home);
                var env = new Dictionary<string, string?>
                {
                    ["CINDERBACKUP_HOME"] = home,
                    ["CINDERBACKUP_DATABASE"] = Url(template),
                    ["PGPASSWORD"] = Password,
                    ["HOME"] = home,
                    ["USER"] = "tester",
                };
                using (CinderBackup.Engine.Api.BackupEngine.Open(new CinderBackup.Engine.Api.EngineOptions { Environment = n => env.GetValueOrDefault(n) }))
                {
                }
                // Nobody may be connected to a template while it is copied.
                Sql("postgres", $"ALTER DATABASE {template} WITH ALLOW_CONNECTIONS false");
                _template = template;
            }
        }
        var name = "cbt_" + Guid.NewGuid().ToString("N")[..16];
        Sql("postgres", $"CREATE DATABASE {name} TEMPLATE {_template}");
        return name;
    }

    public void DropDatabase(string name) => Sql("postgres", $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");

    /// <summary>Runs SQL as the superuser (psql, stops at the first error); returns what it printed (unaligned, tuples only).</summary>
    public string Sql(string database, string sql) => SqlAs(Superuser, Password, database, sql);

    /// <summary>Runs SQL as <paramref name="user"/>, logging in with <paramref name="password"/>.</summary>
    public string SqlAs(string user, string password, string database, string sql)
    {
        var psi = Start(Path.Combine(BinDirectory, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
            "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", user, "-d", database, "-c", sql);
        psi.Environment["PGPASSWORD"] = password;
        return Execute(psi);
    }

    public void Dispose()
    {
        lock (Gate)
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
        }
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                RunPg("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop");
            }
        }
        catch (InvalidOperationException)
        {
        }
        for (var attempt = 0; attempt < 5 && Directory.Exists(Root); attempt++)
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(200); // the server's last files are being closed
            }
        }
    }

    /// <summary>Clusters whose test process is gone (killed before its exit handler ran): stopped and removed.</summary>
    private void RemoveAbandoned()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), DirPrefix + "*"))
        {
            try
            {
                var owner = int.Parse(File.ReadAllText(Path.Combine(dir, "owner.pid")).Trim(), CultureInfo.InvariantCulture);
                if (IsAlive(owner))
                {
                    continue;
                }
                var data = Path.Combine(dir, "data");
                if (File.Exists(Path.Combine(data, "postmaster.pid")))
                {
                    try
                    {
                        RunPg("pg_ctl", "-D", data, "-m", "immediate", "-w", "-t", "30", "stop");
                    }
                    catch (InvalidOperationException)
                    {
                        // Not a cluster pg_ctl can stop: the process goes by its pid.
                    }
                }
                if (File.Exists(Path.Combine(data, "postmaster.pid")))
                {
                    var pid = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).First().Trim(), CultureInfo.InvariantCulture);
                    if (IsAlive(pid))
                    {
                        using var p = Process.GetProcessById(pid);
                        p.Kill(entireProcessTree: true);
                        p.WaitForExit(10_000);
                    }
                }
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException or InvalidOperationException)
            {
            }
        }
    }

    /// <summary>True while process <paramref name="pid"/> runs (a zombie does not).</summary>
    public static bool IsAlive(int pid)
    {
        // A zombie (exited, not yet reaped) is gone.
        var stat = $"/proc/{pid}/stat";
        if (File.Exists(stat))
        {
            try
            {
                var text = File.ReadAllText(stat);
                return text[(text.LastIndexOf(')') + 2)] != 'Z';
            }
            catch (IOException)
            {
                return false;
            }
        }
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool IsRoot() => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    private void RunPg(string tool, params string[] args)
    {
        var exe = Path.Combine(BinDirectory, tool);
        Execute(_runAs is null ? Start(exe, args) : Start("runuser", new[] { "-u", _runAs, "--", exe }.Concat(args).ToArray()));
    }

    private static void Run(string exe, params string[] args) => Execute(Start(exe, args));

    private static ProcessStartInfo Start(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        return psi;
    }

    private static string Execute(ProcessStartInfo psi)
    {
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} did not finish in 120 s.");
        }
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} failed ({p.ExitCode}): {stderr.Result}{stdout}");
        }
        return stdout;
    }
}
