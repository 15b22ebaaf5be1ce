using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CinderBackup.Tests.Shared;

/// <summary>
/// A local S3 server for tests: moto_server (moto 5) on 127.0.0.1 and a free port, started on construction and
/// stopped (with its process tree) on disposal. Anything may sign requests unless <paramref name="noAuthActions"/>
/// is given: then moto enforces IAM authentication after that many requests (INITIAL_NO_AUTH_ACTION_COUNT).
/// </summary>
public sealed class MotoServer : IDisposable
{
    public const string AccessKey = "testing-access-key";
    public const string SecretKey = "testing-secret-key-0123456789";

    private Process? _process;
    private readonly StringBuilder _output = new();

    public MotoServer(int? noAuthActions = null, (string Certificate, string Key)? tls = null)
    {
        _scheme = tls is null ? "http" : "https";
        var exe = Executable ?? throw new InvalidOperationException(
            "moto_server is not on PATH (nor at /root/.pyenv/shims/moto_server): the S3 tests need a local S3 server (pip package moto[server] 5).");
        Port = FreePort();
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-H", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }
        if (tls is { } t)
        {
            foreach (var a in new[] { "-c", t.Certificate, "-k", t.Key })
            {
                psi.ArgumentList.Add(a);
            }
        }
        foreach (var v in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "INITIAL_NO_AUTH_ACTION_COUNT" })
        {
            psi.Environment.Remove(v);
        }
        if (noAuthActions is int n)
        {
            psi.Environment["INITIAL_NO_AUTH_ACTION_COUNT"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilReady();
    }

    public int Port { get; }

    private readonly string _scheme;

    public string Endpoint => $"{_scheme}://127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What the server printed (its request log), for failure messages.</summary>
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

    public static string? Executable
    {
        get
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, "moto_server");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
            return File.Exists("/root/.pyenv/shims/moto_server") ? "/root/.pyenv/shims/moto_server" : null;
        }
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Sends an unsigned form POST (IAM's query API) while authentication is not yet enforced; returns the answer.</summary>
    public string Post(string form)
    {
        using var http = new HttpClient();
        var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint + "/") { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization",
            "AWS4-HMAC-SHA256 Credential=setup/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0");
        using var response = http.Send(request);
        return response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
    }

    /// <summary>Stops the server at once (as a crash or an outage would).</summary>
    public void Stop()
    {
        var p = _process;
        _process = null;
        if (p is null)
        {
            return;
        }
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

    public void Dispose() => Stop();

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

    private void WaitUntilReady()
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"moto_server exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                using var response = http.GetAsync(Endpoint + "/moto-api/").GetAwaiter().GetResult();
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Thread.Sleep(100);
            }
        }
        Stop();
        throw new InvalidOperationException($"moto_server did not answer on {Endpoint} within 60 s:\n{Output}");
    }
}
