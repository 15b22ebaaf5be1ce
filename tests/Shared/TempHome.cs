using System.Diagnostics;

namespace CinderBackup.Tests.Shared;

/// <summary>
/// A private data directory and environment for one test: CINDERBACKUP_HOME points into a fresh temporary
/// directory, no config file unless the test writes one, and nothing leaks into the real user's files.
/// </summary>
public sealed class TempHome : IDisposable
{
    private readonly Dictionary<string, string?> _env;

    public TempHome()
    {
        Root = Path.Combine(Path.GetTempPath(), "cbtest-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        Home = Path.Combine(Root, "home");
        ConfigPath = Path.Combine(Root, "cinderbackup.yaml");
        _env = new Dictionary<string, string?>
        {
            ["CINDERBACKUP_HOME"] = Home,
            ["CINDERBACKUP_CONFIG"] = null,
            ["XDG_CONFIG_HOME"] = Path.Combine(Root, "xdg-config"),
            ["OS_PROJECT_NAME"] = null,
            ["OS_USERNAME"] = null,
            ["CINDERBACKUP_ADMIN"] = null,
            ["USER"] = "tester",
            ["HOME"] = Root,
        };
        if (PostgresServer.Selected)
        {
            // The fixture switch: this test's catalog is a database of its own on the test process's PostgreSQL.
            var server = PostgresServer.Shared;
            Database = server.CreateCatalogDatabase();
            _env["CINDERBACKUP_DATABASE"] = server.Url(Database);
            _env["PGPASSWORD"] = server.Password;
        }
    }

    /// <summary>The PostgreSQL database of this test's catalog, when the tests run on PostgreSQL.</summary>
    public string? Database { get; }

    public string Root { get; }

    public string Home { get; }

    public string ConfigPath { get; }

    public string CatalogPath => Path.Combine(Home, "catalog.db");

    public IReadOnlyDictionary<string, string?> Variables => _env;

    /// <summary>Gives a child process this environment (a null value removes the variable).</summary>
    public void ApplyTo(ProcessStartInfo psi)
    {
        foreach (var (k, v) in _env)
        {
            if (v is null)
            {
                psi.Environment.Remove(k);
            }
            else
            {
                psi.Environment[k] = v;
            }
        }
    }

    public string? Env(string name) => _env.TryGetValue(name, out var v) ? v : Environment.GetEnvironmentVariable(name);

    public TempHome Set(string name, string? value)
    {
        _env[name] = value;
        return this;
    }

    /// <summary>Writes the config file and points CINDERBACKUP_CONFIG at it.</summary>
    public TempHome WriteConfig(string yaml)
    {
        File.WriteAllText(ConfigPath, yaml);
        _env["CINDERBACKUP_CONFIG"] = ConfigPath;
        return this;
    }

    /// <summary>
    /// Loses the catalog on purpose (a drill): the SQLite file and its side files, or, when the tests run on PostgreSQL,
    /// the database, made again empty under the same name.
    /// </summary>
    public void LoseCatalog()
    {
        foreach (var f in Directory.Exists(Home) ? Directory.GetFiles(Home, "catalog.db*") : Array.Empty<string>())
        {
            File.Delete(f);
        }
        if (Database is not null)
        {
            PostgresServer.Shared.DropDatabase(Database);
            PostgresServer.Shared.Sql("postgres", $"CREATE DATABASE {Database}");
        }
    }

    public string File_(string name) => Path.Combine(Root, name);

    public void Dispose()
    {
        if (Database is not null)
        {
            try
            {
                PostgresServer.Shared.DropDatabase(Database);
            }
            catch (InvalidOperationException)
            {
            }
        }
        try
        {
            if (Directory.Exists(Root))
            {
                foreach (var f in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
                {
                    File.SetAttributes(f, FileAttributes.Normal);
                    if (!OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                    }
                }
                Directory.Delete(Root, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
