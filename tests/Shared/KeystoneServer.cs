using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace CinderBackup.Tests.Shared;

/// <summary>
/// A Keystone v3 for tests (Debian's python3-keystone, SQLite in WAL mode, fernet tokens; the recipe of
/// docs/swift-ceph-recipes.md): on 127.0.0.1 and a free port, with project <c>demo</c> and user <c>demo</c> (role
/// member), user <c>swift</c> (admin on project <c>service</c>, for Swift's authtoken) and an object-store endpoint.
/// Started on construction (about 12 s idle); disposal stops it and removes its directory, also after a failure.
/// </summary>
public sealed class KeystoneServer : IDisposable
{
    public const string DemoUser = "demo";
    public const string DemoPassword = "demopw";
    public const string DemoProject = "demo";
    public const string SwiftUser = "swift";
    public const string SwiftPassword = "swiftpw";

    private readonly StringBuilder _output = new();
    private Process? _process;

    /// <param name="objectStoreUrl">The object-store endpoint to register, e.g. http://127.0.0.1:PORT/v1/AUTH_%(project_id)s.</param>
    public KeystoneServer(string directory, string objectStoreUrl)
    {
        Directory_ = directory;
        try
        {
            Start(objectStoreUrl);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Directory_ { get; }

    public int Port { get; private set; }

    /// <summary>The v3 auth URL: http://127.0.0.1:PORT/v3.</summary>
    public string AuthUrl => $"http://127.0.0.1:{Port}/v3";

    /// <summary>The id of project <c>demo</c> (its Swift account is AUTH_ + this).</summary>
    public string DemoProjectId { get; private set; } = "";

    public static bool Installed => File.Exists("/usr/bin/keystone-manage") && File.Exists("/usr/bin/keystone-wsgi-public");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Start(string objectStoreUrl)
    {
        if (!Installed)
        {
            throw new InvalidOperationException("Keystone is not installed: the Keystone tests need Debian's python3-keystone package.");
        }
        Port = MotoServer.FreePort();
        var etc = Path.Combine(Directory_, "etc");
        Directory.CreateDirectory(etc);
        Directory.CreateDirectory(Path.Combine(Directory_, "log"));
        foreach (var keys in new[] { "fernet-keys", "credential-keys" })
        {
            Directory.CreateDirectory(Path.Combine(Directory_, keys), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var conf = Path.Combine(etc, "keystone.conf");
        File.WriteAllText(conf, string.Join('\n',
            "[DEFAULT]", $"log_file = {Directory_}/log/keystone.log",
            "[database]", $"connection = sqlite:///{Directory_}/keystone.db",
            "[token]", "provider = fernet",
            "[fernet_tokens]", $"key_repository = {Directory_}/fernet-keys",
            "[fernet_receipts]", $"key_repository = {Directory_}/fernet-keys",
            "[credential]", $"key_repository = {Directory_}/credential-keys",
            "[identity]", "password_hash_rounds = 4", ""));
        var manage = new[] { "/usr/bin/keystone-manage", "--config-file", conf };
        Run(manage.Append("db_sync"));
        // SQLite must be in WAL mode, or writes fail with "database is locked" (the recipe's measurement).
        Run(new[] { "/usr/bin/python3", "-c", $"import sqlite3; c=sqlite3.connect('{Directory_}/keystone.db'); c.execute('PRAGMA journal_mode=WAL'); c.close()" });
        Run(manage.Concat(new[] { "fernet_setup", "--keystone-user", "root", "--keystone-group", "root" }));
        Run(manage.Concat(new[] { "credential_setup", "--keystone-user", "root", "--keystone-group", "root" }));
        Run(manage.Concat(new[] { "bootstrap", "--bootstrap-password", "adminpw", "--bootstrap-region-id", "RegionOne",
            "--bootstrap-admin-url", AuthUrl, "--bootstrap-internal-url", AuthUrl, "--bootstrap-public-url", AuthUrl }));
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "/usr/bin/keystone-wsgi-public", "--host", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["OS_KEYSTONE_CONFIG_DIR"] = etc;
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilReady();
        var script = Path.Combine(etc, "populate.py");
        File.WriteAllText(script, string.Join('\n',
            "import sys",
            "from keystoneauth1.identity import v3",
            "from keystoneauth1 import session",
            "from keystoneclient.v3 import client",
            $"auth = v3.Password(auth_url='{AuthUrl}', username='admin', password='adminpw', project_name='admin', user_domain_name='Default', project_domain_name='Default')",
            "k = client.Client(session=session.Session(auth=auth))",
            "demo = k.projects.create('demo', 'default')",
            "service = k.projects.create('service', 'default')",
            "member = [r for r in k.roles.list() if r.name == 'member'][0]",
            "admin = [r for r in k.roles.list() if r.name == 'admin'][0]",
            $"u = k.users.create('{DemoUser}', domain='default', password='{DemoPassword}')",
            "k.roles.grant(member, user=u, project=demo)",
            $"s = k.users.create('{SwiftUser}', domain='default', password='{SwiftPassword}')",
            "k.roles.grant(admin, user=s, project=service)",
            "svc = k.services.create('swift', 'object-store')",
            "for interface in ('public', 'internal'):",
            $"    k.endpoints.create(svc, '{objectStoreUrl}', interface=interface, region='RegionOne')",
            "print(demo.id)", ""));
        DemoProjectId = Run(new[] { "/usr/bin/python3", script }).Trim().Split('\n').Last().Trim();
    }

    private string Run(IEnumerable<string> command)
    {
        var args = command.ToList();
        var psi = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["OS_KEYSTONE_CONFIG_DIR"] = Path.Combine(Directory_, "etc");
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(300_000))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"'{string.Join(' ', args)}' did not finish within 300 s.");
        }
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', args)}' failed ({p.ExitCode}):\n{stdout}\n{stderr.Result}");
        }
        return stdout;
    }

    private void WaitUntilReady()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var deadline = DateTime.UtcNow.AddSeconds(240);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"Keystone exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                using var response = http.GetAsync(AuthUrl).GetAwaiter().GetResult();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            Thread.Sleep(200);
        }
        throw new InvalidOperationException($"Keystone did not answer on {AuthUrl} within 240 s:\n{Output}");
    }

    /// <summary>A token for user demo on project demo (v3 password auth).</summary>
    public string DemoToken()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var body = "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"name\": \"" + DemoUser
            + "\", \"domain\": {\"name\": \"Default\"}, \"password\": \"" + DemoPassword + "\"}}}, \"scope\": {\"project\": {\"name\": \""
            + DemoProject + "\", \"domain\": {\"name\": \"Default\"}}}}}";
        using var response = http.PostAsync(AuthUrl + "/auth/tokens", new StringContent(body, Encoding.UTF8, "application/json")).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("X-Subject-Token").First();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            if (_output.Length < 100_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    public void Dispose()
    {
        if (_process is { } p)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
            }
            p.Dispose();
            _process = null;
        }
    }
}
