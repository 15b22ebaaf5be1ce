using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace CinderBackup.Tests.Shared;

/// <summary>
/// A Swift all-in-one for tests (Debian's swift 2.30 packages and memcached): memcached, the account, container,
/// object and proxy servers on 127.0.0.1 and free ports, one device and one replica under a temporary directory,
/// tempauth with account <c>test</c>, user <c>tester</c>, key <c>testing</c>. Started on construction (about 5 s);
/// disposal stops every process and removes the directory, also when a test failed or the start-up did.
/// </summary>
public sealed class SwiftServer : IDisposable
{
    public const string User = "test:tester";
    public const string Key = "testing";
    public const string Account = "test";

    private readonly List<Process> _processes = new();
    private readonly bool _keystone;
    private readonly StringBuilder _output = new();

    public SwiftServer()
        : this(tls: false, keystone: false)
    {
    }

    /// <summary>A server with TLS or Keystone (a factory: xunit wants a class fixture to have one public constructor).</summary>
    /// <param name="tls">The proxy serves HTTPS with a certificate from a private CA (<see cref="Certificates"/>).</param>
    /// <param name="keystone">Keystone v3 authenticates instead of tempauth (<see cref="Keystone"/>: user demo, project demo).</param>
    public static SwiftServer Start(bool tls, bool keystone = false) => new(tls, keystone);

    private SwiftServer(bool tls, bool keystone)
    {
        _keystone = keystone;
        Directory_ = Path.Combine(Path.GetTempPath(), "cbt-swift-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            Certificates = tls ? TestCertificates.Create(Path.Combine(Directory_, "tls")) : null;
        }
        catch
        {
            Dispose();
            throw;
        }
        try
        {
            Start();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Where configuration, rings, devices and logs are.</summary>
    public string Directory_ { get; }

    public int ProxyPort { get; private set; }

    /// <summary>The Keystone the proxy trusts, when it was asked for (then tempauth is not in the pipeline).</summary>
    public KeystoneServer? Keystone { get; private set; }

    /// <summary>The CA and the proxy's certificate when it serves HTTPS.</summary>
    public TestCertificates? Certificates { get; }

    /// <summary>The proxy's address: http://127.0.0.1:PORT (https with TLS).</summary>
    public string Endpoint => $"{(Certificates is null ? "http" : "https")}://127.0.0.1:{ProxyPort}";

    /// <summary>tempauth's v1 auth URL.</summary>
    public string AuthUrl => Endpoint + "/auth/v1.0";

    /// <summary>The prefix per_user auth appends the project to (backup_swift_url).</summary>
    public string StorageUrlPrefix => Endpoint + "/v1/AUTH_";

    public string StorageUrl => StorageUrlPrefix + (Keystone?.DemoProjectId ?? Account);

    /// <summary>Whether the Debian packages are installed.</summary>
    public static bool Installed => File.Exists("/usr/bin/swift-proxy-server") && File.Exists("/usr/bin/swift-object-server") && File.Exists("/usr/bin/memcached");

    /// <summary>What the servers printed, for failure messages.</summary>
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

    private void Start()
    {
        if (!Installed)
        {
            throw new InvalidOperationException("Swift is not installed: the Swift tests need Debian's swift, swift-proxy, swift-account, swift-container, "
                + "swift-object and memcached packages (scripts/test.sh installs them).");
        }
        var etc = Path.Combine(Directory_, "etc");
        Directory.CreateDirectory(etc);
        Directory.CreateDirectory(Path.Combine(Directory_, "srv", "d1"));
        var memcached = MotoServer.FreePort();
        var ports = new Dictionary<string, int>();
        foreach (var server in new[] { "object", "container", "account", "proxy" })
        {
            int port;
            do
            {
                port = MotoServer.FreePort();
            }
            while (port == memcached || ports.ContainsValue(port));
            ports[server] = port;
        }
        ProxyPort = ports["proxy"];
        File.WriteAllText(Path.Combine(etc, "swift.conf"),
            "[swift-hash]\nswift_hash_path_prefix = cbtprefix\nswift_hash_path_suffix = cbtsuffix\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n");
        foreach (var server in new[] { "object", "container", "account" })
        {
            File.WriteAllText(Path.Combine(etc, server + "-server.conf"), Default(ports[server], etc) + $"devices = {Directory_}/srv\nmount_check = false\n"
                + $"[pipeline:main]\npipeline = {server}-server\n[app:{server}-server]\nuse = egg:swift#{server}\n");
        }
        if (_keystone)
        {
            Keystone = new KeystoneServer(Path.Combine(Directory_, "keystone"), $"{Endpoint}/v1/AUTH_%(project_id)s");
        }
        var auth = _keystone ? new[] { "authtoken", "keystoneauth" } : new[] { "tempauth" };
        var filters = new[] { "catch_errors", "gatekeeper", "healthcheck", "proxy-logging", "cache", "listing_formats" }.Concat(auth).Concat(new[] { "copy", "dlo", "slo" }).ToArray();
        var proxy = new StringBuilder(Default(ports["proxy"], etc));
        if (Certificates is { } tls)
        {
            proxy.Append($"cert_file = {tls.CertFile}\nkey_file = {tls.KeyFile}\n"); // eventlet's own TLS (Swift: for tests)
        }
        proxy.Append("[pipeline:main]\npipeline = ").Append(string.Join(' ', filters)).Append(" proxy-logging proxy-server\n");
        proxy.Append("[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\n");
        proxy.Append($"[filter:tempauth]\nuse = egg:swift#tempauth\nuser_{Account}_tester = {Key} .admin\n");
        if (Keystone is { } k)
        {
            // The recipe's authtoken and keystoneauth; Keystone's default role is lowercase member.
            proxy.Append("[filter:authtoken]\npaste.filter_factory = keystonemiddleware.auth_token:filter_factory\n"
                + $"www_authenticate_uri = {k.AuthUrl}\nauth_url = {k.AuthUrl}\nauth_type = password\nuser_domain_name = Default\n"
                + $"project_domain_name = Default\nproject_name = service\nusername = {KeystoneServer.SwiftUser}\npassword = {KeystoneServer.SwiftPassword}\n"
                + "region_name = RegionOne\ninterface = public\ndelay_auth_decision = True\ncache = swift.cache\ninclude_service_catalog = False\n");
            proxy.Append("[filter:keystoneauth]\nuse = egg:swift#keystoneauth\noperator_roles = admin, member\nreseller_prefix = AUTH_\n");
        }
        if (Certificates is not null)
        {
            proxy.Append("storage_url_scheme = https\n");
        }
        proxy.Append($"[filter:cache]\nuse = egg:swift#memcache\nmemcache_servers = 127.0.0.1:{memcached}\n");
        foreach (var f in filters.Where(f => f is not ("tempauth" or "cache" or "authtoken" or "keystoneauth")))
        {
            proxy.Append($"[filter:{f}]\nuse = egg:swift#{f.Replace('-', '_')}\n");
        }
        File.WriteAllText(Path.Combine(etc, "proxy-server.conf"), proxy.ToString());
        var rings = string.Join("\n",
            "from swift.common.ring import RingBuilder",
            $"for n, p in (('object', {ports["object"]}), ('container', {ports["container"]}), ('account', {ports["account"]})):",
            "    b = RingBuilder(6, 1, 1)",
            "    b.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': p, 'device': 'd1', 'weight': 100})",
            $"    b.rebalance(); b.get_ring().save('{etc}/%s.ring.gz' % n)");
        var script = Path.Combine(etc, "rings.py");
        File.WriteAllText(script, rings + "\n");
        using (var builder = Process.Start(new ProcessStartInfo("/usr/bin/python3", script) { RedirectStandardError = true, UseShellExecute = false })!)
        {
            var err = builder.StandardError.ReadToEnd();
            builder.WaitForExit();
            if (builder.ExitCode != 0)
            {
                throw new InvalidOperationException($"Building the Swift rings failed: {err}");
            }
        }
        Launch("/usr/bin/memcached", "-u", "root", "-l", "127.0.0.1", "-p", memcached.ToString(CultureInfo.InvariantCulture), "-U", "0", "-m", "16");
        foreach (var server in new[] { "account", "container", "object", "proxy" })
        {
            Launch("/usr/bin/python3", $"/usr/bin/swift-{server}-server", Path.Combine(etc, server + "-server.conf"));
        }
        WaitUntilReady();
    }

    private string Default(int port, string etc) =>
        $"[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = {port}\nworkers = 0\nuser = root\nswift_dir = {etc}\nlog_name = cbt-swift\n";

    private void Launch(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        var p = Process.Start(psi)!;
        _processes.Add(p);
        p.OutputDataReceived += (_, e) => Append(e.Data);
        p.ErrorDataReceived += (_, e) => Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
    }

    /// <summary>A token for the test account (tempauth v1).</summary>
    public string Token()
    {
        if (Keystone is { } keystone)
        {
            return keystone.DemoToken();
        }
        using var http = Client(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, AuthUrl);
        request.Headers.Add("X-Auth-User", User);
        request.Headers.Add("X-Auth-Key", Key);
        using var response = http.Send(request);
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("X-Auth-Token").First();
    }

    /// <summary>Ready when a token works on the account (the proxy, memcached and the account server all answer).</summary>
    private void WaitUntilReady()
    {
        using var http = Client(TimeSpan.FromSeconds(3));
        var deadline = DateTime.UtcNow.AddSeconds(240); // 5 s on an idle machine; much longer on a loaded one
        while (DateTime.UtcNow < deadline)
        {
            if (_processes.FirstOrDefault(p => p.HasExited) is { } dead)
            {
                throw new InvalidOperationException($"A Swift server ({dead.StartInfo.FileName} {string.Join(' ', dead.StartInfo.ArgumentList)}) exited with {dead.ExitCode}:\n{Output}");
            }
            try
            {
                var token = Token();
                using var head = new HttpRequestMessage(HttpMethod.Head, StorageUrl);
                head.Headers.Add("X-Auth-Token", token);
                using var response = http.Send(head);
                if (response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
            }
            Thread.Sleep(200);
        }
        throw new InvalidOperationException($"Swift did not answer on {Endpoint} within 240 s:\n{Output}");
    }

    /// <summary>The objects of a container, by name (a direct listing, for assertions).</summary>
    public IReadOnlyList<string> Objects(string container)
    {
        using var http = Client(TimeSpan.FromSeconds(10));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{StorageUrl}/{Uri.EscapeDataString(container)}?format=plain");
        request.Headers.Add("X-Auth-Token", Token());
        using var response = http.Send(request);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return Array.Empty<string>();
        }
        response.EnsureSuccessStatusCode();
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private HttpClient Client(TimeSpan timeout) =>
        new(Certificates?.Handler() ?? new SocketsHttpHandler(), disposeHandler: true) { Timeout = timeout };

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            if (_output.Length < 200_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    public void Dispose()
    {
        Keystone?.Dispose();
        foreach (var p in _processes)
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
        }
        _processes.Clear();
        try
        {
            if (Directory.Exists(Directory_))
            {
                Directory.Delete(Directory_, recursive: true);
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
