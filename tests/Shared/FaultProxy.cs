using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CinderBackup.Tests.Shared;

/// <summary>
/// A tiny TCP proxy on 127.0.0.1 in front of a local server, for fault injection: each new connection either is
/// relayed to the target, or gets one injected HTTP error answer (then the connection closes), or is accepted and
/// never answered (a server that hangs). Connections are counted.
/// </summary>
public sealed class FaultProxy : IDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = new();
    private int _failNext;
    private int _injected;
    private int _connections;

    public FaultProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(AcceptLoop);
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>HTTP status of injected answers (503 by default).</summary>
    public int Status { get; set; } = 503;

    /// <summary>Every new connection fails (a persistent outage).</summary>
    public bool FailAll { get; set; }

    /// <summary>Every new connection is accepted and never answered.</summary>
    public bool Hang { get; set; }

    /// <summary>The next <paramref name="count"/> new connections get an injected error answer.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failNext, count);

    /// <summary>How many injected errors were answered.</summary>
    public int Injected => Volatile.Read(ref _injected);

    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            lock (_open)
            {
                _open.Add(client);
            }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        try
        {
            if (Hang)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
                return;
            }
            if (FailAll || Interlocked.Decrement(ref _failNext) >= 0)
            {
                await Inject(client);
                return;
            }
            using var target = new TcpClient();
            await target.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            var a = client.GetStream();
            var b = target.GetStream();
            var up = Record ? Pump(a, b) : a.CopyToAsync(b, _stop.Token);
            var down = b.CopyToAsync(a, _stop.Token);
            await Task.WhenAny(up, down);
        }
        catch (Exception)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>Keep a copy of what clients send (requests, headers and bodies; at most 64 MiB).</summary>
    public bool Record { get; set; }

    /// <summary>What clients sent through relayed connections, as Latin-1 text.</summary>
    public string Recorded
    {
        get
        {
            lock (_recorded)
            {
                return System.Text.Encoding.Latin1.GetString(_recorded.ToArray());
            }
        }
    }

    private readonly MemoryStream _recorded = new();

    private async Task Pump(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[81920];
        int n;
        while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            lock (_recorded)
            {
                if (_recorded.Length < 64 << 20)
                {
                    _recorded.Write(buffer, 0, n);
                }
            }
            await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
    }

    /// <summary>Reads the request head (the body, if any, is never awaited: S3 clients send Expect: 100-continue) and answers an error.</summary>
    private async Task Inject(TcpClient client)
    {
        var stream = client.GetStream();
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, _stop.Token);
            if (n == 0)
            {
                return;
            }
            head.Append((char)buffer[0]);
        }
        Interlocked.Increment(ref _injected);
        var isHead = head.ToString().StartsWith("HEAD ", StringComparison.Ordinal);
        var body = isHead ? "" : "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>ServiceUnavailable</Code><Message>Injected by the test proxy.</Message></Error>";
        var answer = $"HTTP/1.1 {Status} Injected\r\nContent-Type: application/xml\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(answer), _stop.Token);
        await stream.FlushAsync(_stop.Token);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_open)
        {
            _open.ForEach(c => c.Dispose());
        }
    }
}
