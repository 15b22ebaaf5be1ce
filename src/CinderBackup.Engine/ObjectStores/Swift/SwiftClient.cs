using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.ObjectStores.Swift;

/// <summary>
/// Requests to a Swift proxy, as python-swiftclient sends them for Cinder: the token and storage URL from tempauth (v1:
/// X-Auth-User / X-Auth-Key), from Keystone v3 (a password token and the object-store endpoint of its catalog), or the
/// caller's token on backup_swift_url + project (per_user). A request is retried backup_swift_retry_attempts times after
/// the first on connection errors, timeouts, 408, 429, 498 and 5xx, waiting backup_swift_retry_backoff seconds doubled
/// each time (at most 64 s), as swiftclient does; a 401 gets a new token once (single_user). Every failure is one clear
/// error naming the repository and never carrying a credential.
/// </summary>
internal sealed class SwiftClient
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(64);

    /// <summary>The most of an error answer's body read for its message: a proxy or an attacker may send gigabytes.</summary>
    internal const int MaxErrorBody = 4096;

    /// <summary>The most a successful answer read whole (listings, Keystone's catalog) may hold before it is refused.</summary>
    internal const long MaxBufferedBody = 16L << 20;

    private readonly SwiftSettings _s;
    private readonly HttpClient _http;
    private readonly Func<TimeSpan, Task> _delay;
    private readonly SemaphoreSlim _authGate = new(1, 1);
    private (string Url, string Token)? _auth;

    /// <param name="wrap">Test seam: wraps the HTTP handler (fault injection).</param>
    public SwiftClient(SwiftSettings settings, Func<TimeSpan, Task>? delay = null, Func<HttpMessageHandler, HttpMessageHandler>? wrap = null)
    {
        _s = settings;
        _delay = delay ?? (t => Task.Delay(t));
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = settings.Timeout,
            MaxConnectionsPerServer = settings.MaxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(50),
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (settings.Insecure)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (settings.CaCertFile is { } file)
        {
            X509Certificate2Collection bundle = CaBundle.Load(file, settings.Repository, "swift", "backup_swift_ca_cert_file");
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => CaBundle.Validate(bundle, certificate, errors);
        }
        _http = new HttpClient(wrap is null ? handler : wrap(handler), disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public SwiftSettings Settings => _s;

    /// <summary>Text with every secret, the issued token too, replaced.</summary>
    public string Redact(string text) => _s.Redact(text, _auth?.Token);

    /// <summary>
    /// Sends the request <paramref name="build"/> makes from the storage URL (retried as described). Returns the response
    /// when it succeeded or its status is one of <paramref name="accepted"/>; the caller disposes it. Otherwise throws.
    /// </summary>
    public HttpResponseMessage Send(string what, string container, string? name, Func<string, HttpRequestMessage> build,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, TimeSpan? timeout = null, params HttpStatusCode[] accepted) =>
        Task.Run(() => SendAsync(what, container, name, (url, _) => build(url), completion, timeout, accepted)).GetAwaiter().GetResult();

    /// <summary>As <see cref="Send"/>; <paramref name="build"/> also gets the attempt number (1 first).</summary>
    public async Task<HttpResponseMessage> SendAsync(string what, string container, string? name, Func<string, int, HttpRequestMessage> build,
        HttpCompletionOption completion, TimeSpan? timeout, params HttpStatusCode[] accepted)
    {
        var reauthenticated = false;
        for (var attempt = 1; ; attempt++)
        {
            Exception? failure = null;
            HttpStatusCode? status = null;
            string? body = null;
            var (url, token) = await AuthenticateAsync(force: false).ConfigureAwait(false);
            using var cts = new CancellationTokenSource(timeout ?? _s.Timeout);
            try
            {
                using var request = build(url, attempt);
                request.Headers.TryAddWithoutValidation("X-Auth-Token", token);
                // Headers first: a body is read whole only when it is a success's, and only up to MaxBufferedBody.
                var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode || accepted.Contains(response.StatusCode))
                {
                    if (completion == HttpCompletionOption.ResponseContentRead)
                    {
                        await Buffer(response, cts.Token).ConfigureAwait(false);
                    }
                    return response;
                }
                status = response.StatusCode;
                body = await Brief(response, cts.Token).ConfigureAwait(false);
                response.Dispose();
            }
            catch (Exception e) when (e is OperationCanceledException && cts.IsCancellationRequested)
            {
                failure = new TimeoutException($"no answer within {(timeout ?? _s.Timeout).TotalSeconds:0.#} s", e);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or SocketException)
            {
                failure = e;
            }
            if (status == HttpStatusCode.Unauthorized && _s.SingleUser && !reauthenticated)
            {
                reauthenticated = true; // the token expired: one new one, as swiftclient does
                await AuthenticateAsync(force: true).ConfigureAwait(false);
                attempt--;
                continue;
            }
            var transient = failure is not null || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int?)status is 498 || (int?)status >= 500;
            if (!transient || attempt > _s.RetryAttempts)
            {
                throw Translate(what, container, name, status, body, failure, attempt);
            }
            await _delay(Backoff(attempt)).ConfigureAwait(false);
        }
    }

    /// <summary>The wait after failed attempt <paramref name="attempt"/>: backup_swift_retry_backoff doubled each time, at most 64 s.</summary>
    public TimeSpan Backoff(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, _s.RetryBackoff.TotalSeconds * Math.Pow(2, attempt - 1)));

    /// <summary>The start of an error answer's body (at most <see cref="MaxErrorBody"/> bytes read), printable, for its message.</summary>
    private static async Task<string?> Brief(HttpResponseMessage response, CancellationToken cancel)
    {
        try
        {
            var buffer = new byte[MaxErrorBody];
            var read = 0;
            await using (var stream = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false))
            {
                int n;
                while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancel).ConfigureAwait(false)) > 0)
                {
                    read += n;
                }
            }
            var text = Encoding.UTF8.GetString(buffer, 0, read);
            text = new string(text.Where(c => !char.IsControl(c) || c == ' ').Take(200).ToArray()).Trim();
            return text.Length == 0 ? null : text;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return null; // the status says enough
        }
    }

    /// <summary>Reads a success's body into memory, refusing one over <see cref="MaxBufferedBody"/>.</summary>
    private static async Task Buffer(HttpResponseMessage response, CancellationToken cancel)
    {
        try
        {
            await response.Content.LoadIntoBufferAsync(MaxBufferedBody).WaitAsync(cancel).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    // ---- authentication ----

    private async Task<(string Url, string Token)> AuthenticateAsync(bool force)
    {
        if (!_s.SingleUser)
        {
            return (_s.StorageUrl!, _s.Token!);
        }
        await _authGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_auth is { } cached && !force)
            {
                return cached;
            }
            _auth = null;
            for (var attempt = 1; ; attempt++)
            {
                Exception? failure = null;
                HttpStatusCode? status = null;
                string? body = null;
                using var cts = new CancellationTokenSource(_s.Timeout);
                try
                {
                    using var request = _s.AuthVersion == "3" ? KeystoneRequest() : TempauthRequest();
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        await Buffer(response, cts.Token).ConfigureAwait(false);
                        _auth = _s.AuthVersion == "3" ? await KeystoneAnswer(response).ConfigureAwait(false) : TempauthAnswer(response);
                        return _auth.Value;
                    }
                    status = response.StatusCode;
                    body = await Brief(response, cts.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException && cts.IsCancellationRequested)
                {
                    failure = new TimeoutException($"no answer within {_s.Timeout.TotalSeconds:0.#} s", e);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or SocketException)
                {
                    failure = e;
                }
                var transient = failure is not null || (int?)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
                if (!transient || attempt > _s.RetryAttempts)
                {
                    throw AuthFailed(status, body, failure, attempt);
                }
                await _delay(Backoff(attempt)).ConfigureAwait(false);
            }
        }
        finally
        {
            _authGate.Release();
        }
    }

    private HttpRequestMessage TempauthRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _s.AuthUrl);
        request.Headers.TryAddWithoutValidation("X-Auth-User", _s.User);
        request.Headers.TryAddWithoutValidation("X-Auth-Key", _s.Key);
        return request;
    }

    private (string, string) TempauthAnswer(HttpResponseMessage response)
    {
        var url = Header(response, "X-Storage-Url");
        var token = Header(response, "X-Auth-Token") ?? Header(response, "X-Storage-Token");
        if (url is null || token is null)
        {
            throw new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.IOError,
                $"Repository '{_s.Repository}' (swift, {_s.AuthUrl}): the auth server answered without X-Storage-Url or X-Auth-Token.", _s.Repository);
        }
        return (url.TrimEnd('/'), token);
    }

    /// <summary>POST /v3/auth/tokens with a password, scoped to backup_swift_project (Keystone v3, as keystoneauth1 sends it).</summary>
    private HttpRequestMessage KeystoneRequest()
    {
        var auth = new JsonObject
        {
            ["auth"] = new JsonObject
            {
                ["identity"] = new JsonObject
                {
                    ["methods"] = new JsonArray("password"),
                    ["password"] = new JsonObject
                    {
                        ["user"] = new JsonObject { ["name"] = _s.User, ["domain"] = new JsonObject { ["name"] = _s.UserDomain }, ["password"] = _s.Key },
                    },
                },
                ["scope"] = new JsonObject
                {
                    ["project"] = new JsonObject { ["name"] = _s.Project, ["domain"] = new JsonObject { ["name"] = _s.ProjectDomain } },
                },
            },
        };
        return new HttpRequestMessage(HttpMethod.Post, _s.AuthUrl!.TrimEnd('/') + "/auth/tokens")
        {
            Content = new StringContent(auth.ToJsonString(), Encoding.UTF8, "application/json"),
        };
    }

    private async Task<(string, string)> KeystoneAnswer(HttpResponseMessage response)
    {
        var token = Header(response, "X-Subject-Token");
        string? url = null;
        try
        {
            var doc = JsonNode.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
            if (doc?["token"]?["catalog"] is JsonArray catalog)
            {
                url = catalog.OfType<JsonObject>()
                    .Where(s => (string?)s["type"] == "object-store")
                    .SelectMany(s => s["endpoints"] as JsonArray ?? new JsonArray())
                    .OfType<JsonObject>()
                    .Where(e => (string?)e["interface"] == "public")
                    .Select(e => (string?)e["url"])
                    .FirstOrDefault(u => u is not null);
            }
        }
        catch (JsonException)
        {
        }
        if (token is null || url is null)
        {
            throw new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.IOError,
                $"Repository '{_s.Repository}' (swift, {_s.AuthUrl}): Keystone issued no token or its catalog has no public object-store endpoint for project '{_s.Project}'.", _s.Repository);
        }
        return (url.TrimEnd('/'), token);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private CinderBackupException AuthFailed(HttpStatusCode? status, string? body, Exception? failure, int attempts)
    {
        var head = $"Repository '{_s.Repository}' (swift, {_s.AuthUrl}): authenticating as '{_s.User}' failed";
        var tries = attempts > 1 ? $" after {attempts} attempts" : "";
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return new CinderBackupException(ErrorIds.RepositoryAccessDenied, ErrorKind.PermissionDenied,
                $"{head}: access was refused (HTTP {(int)status}). Check backup_swift_user, backup_swift_key"
                + (_s.AuthVersion == "3" ? ", backup_swift_project and the domains." : "."), _s.Repository);
        }
        if (status is { } code)
        {
            return new CinderBackupException((int)code >= 500 ? ErrorIds.RepositoryUnavailable : ErrorIds.RepositoryError, ErrorKind.IOError,
                Redact($"{head}{tries}: HTTP {(int)code}{(body is null ? "" : ": " + body)}."), _s.Repository);
        }
        return new CinderBackupException(ErrorIds.RepositoryUnavailable, ErrorKind.IOError, Redact($"{head}{tries}: {Reason(failure!)}."), _s.Repository, failure);
    }

    // ---- errors ----

    private CinderBackupException Translate(string what, string container, string? name, HttpStatusCode? status, string? body, Exception? failure, int attempts)
    {
        var head = $"Repository '{_s.Repository}' (swift, {_s.Location}): {what} failed";
        var tries = attempts > 1 ? $" after {attempts} attempts" : "";
        if (status is not { } code)
        {
            return new CinderBackupException(ErrorIds.RepositoryUnavailable, ErrorKind.IOError, Redact($"{head}{tries}: {Reason(failure!)}."), _s.Repository, failure);
        }
        var detail = Redact($"HTTP {(int)code}{(body is null ? "" : ": " + body)}");
        switch (code)
        {
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                var check = _s.SingleUser
                    ? "Check backup_swift_user, backup_swift_key and their rights on the container"
                    : $"Check the caller's token (from the {_s.TokenSource}) and its project's rights; per_user auth uses it on backup_swift_url + project";
                return new CinderBackupException(ErrorIds.RepositoryAccessDenied, ErrorKind.PermissionDenied,
                    $"{head}: access was refused ({detail}). {check} '{container}'.", _s.Repository);
            case HttpStatusCode.NotFound when name is not null:
                return new CinderBackupException(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData,
                    $"Backup object '{name}' is missing from the container '{container}' of repository '{_s.Repository}'.", name);
            case HttpStatusCode.NotFound:
                return new CinderBackupException(ErrorIds.ContainerNotFound, ErrorKind.NotFound,
                    $"{head}: the container '{container}' does not exist.", container);
        }
        if ((int)code >= 500 || code is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)code == 498)
        {
            return new CinderBackupException(ErrorIds.RepositoryUnavailable, ErrorKind.IOError, $"{head}{tries}: the server answered {detail}.", _s.Repository);
        }
        return new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.IOError, $"{head}: {detail}.", name ?? container);
    }

    private string Reason(Exception failure) =>
        failure is TimeoutException ? $"{_s.Location} gave no answer within {_s.Timeout.TotalSeconds:0.#} s" : $"{_s.Location} does not answer: {S3.S3ObjectStore.Innermost(failure)}";

    /// <summary>A storage URL path for a container, or an object in it: each name segment escaped.</summary>
    public static string Path(string url, string container, string? name = null)
    {
        var path = url + "/" + Uri.EscapeDataString(container);
        if (name is not null)
        {
            path += "/" + string.Join("/", name.Split('/').Select(Uri.EscapeDataString));
        }
        return path;
    }

    public static MediaTypeHeaderValue OctetStream { get; } = new("application/octet-stream");
}
