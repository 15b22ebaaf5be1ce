using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.ObjectStores.S3;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.ObjectStores.Swift;

/// <summary>
/// Cinder's SwiftBackupDriver layout: one container (backup_swift_container unless the user gives one, used as given),
/// object names <c>volume_&lt;vid&gt;/&lt;UTC time&gt;/az_&lt;zone&gt;_backup_&lt;bid&gt;-NNNNN</c>, <c>_sha256file</c> and
/// <c>_metadata</c>; each object is one PUT whose returned ETag must equal the MD5 of what was sent (Cinder's check and
/// message). Objects are staged in local files and uploaded in the background when committed; a PUT carries
/// <c>If-None-Match: *</c>, so an object is never replaced. The repository marker is an object at the top of each
/// container.
/// </summary>
internal sealed class SwiftObjectStore : IObjectStore
{
    private const string StagePrefix = "cbstage-";
    private const int PageSize = 10000;

    private readonly SwiftSettings _s;
    private readonly SwiftClient _client;
    private readonly UploadQueue _uploads;

    public SwiftObjectStore(SwiftSettings settings, SwiftClient? client = null)
    {
        _s = settings;
        _client = client ?? new SwiftClient(settings);
        _uploads = new UploadQueue(settings.MaxConnections, UploadAsync, failure => new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.IOError,
            _client.Redact($"Repository '{Repository}' (swift): an upload failed: {failure.Message}"), Repository));
    }

    public string Driver => "swift";

    public string ServiceName => Config.RepositoryDefinition.SwiftService;

    public string Location => _s.Location;

    public string Repository => _s.Repository;

    public SwiftSettings Settings => _s;

    internal SwiftClient Client => _client;

    public string StagingDirectory => System.IO.Path.Combine(_s.TempDirectory, "swift-staging");

    // ---- naming ----

    public string DefaultContainer(string backupId) => _s.Container;

    public string Prefix(string volumeId, string backupId, DateTime utc, string availabilityZone) =>
        S3ObjectStore.ObjectPrefix(volumeId, backupId, utc, availabilityZone);

    /// <summary>Swift's rules: 1 to 256 bytes, no '/', and (ours) no control characters and not '.' or '..'.</summary>
    public void ValidateContainer(string container)
    {
        string? problem = container switch
        {
            "" => "it is empty",
            _ when string.IsNullOrWhiteSpace(container) => "it is blank",
            _ when Encoding.UTF8.GetByteCount(container) > 256 => "it is longer than 256 bytes",
            _ when container.Contains('/') => "it contains '/'",
            _ when container.Any(char.IsControl) => "it contains a control character",
            "." or ".." => "it is '.' or '..'",
            _ => null,
        };
        if (problem is not null)
        {
            throw new CinderBackupException(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument,
                $"Invalid container '{PrintableText.Brief(container)}' for repository '{Repository}' (swift): {problem}.", container);
        }
    }

    private void ValidateName(string name)
    {
        if (name.Length == 0 || Encoding.UTF8.GetByteCount(name) > 1024 || name.Any(char.IsControl) || name.StartsWith('/')
            || name.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            throw new CinderBackupException(ErrorIds.InvalidBackup, ErrorKind.InvalidData,
                $"Invalid object name '{PrintableText.Brief(name)}' in repository '{Repository}' (swift).", name);
        }
    }

    // ---- containers ----

    public bool ContainerExists(string container)
    {
        ValidateContainer(container);
        using var response = _client.Send($"checking the container '{container}'", container, null,
            url => new HttpRequestMessage(HttpMethod.Head, SwiftClient.Path(url, container)), accepted: HttpStatusCode.NotFound);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    public void PutContainer(string container)
    {
        if (ExistsOrMayBeCreated(container))
        {
            return;
        }
        using var _ = _client.Send($"creating the container '{container}'", container, null, url =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, SwiftClient.Path(url, container));
            if (_s.StoragePolicy is { } policy)
            {
                request.Headers.TryAddWithoutValidation("X-Storage-Policy", policy);
            }
            return request;
        });
    }

    /// <summary>Only looks: the server answers, the credentials work, the container exists or may be created.</summary>
    public void CheckWritable(string? container) => ExistsOrMayBeCreated(container ?? _s.Container);

    private bool ExistsOrMayBeCreated(string container)
    {
        if (ContainerExists(container))
        {
            return true;
        }
        if (!_s.CreateContainers)
        {
            throw new CinderBackupException(ErrorIds.ContainerNotFound, ErrorKind.NotFound,
                $"Repository '{Repository}' (swift): the container '{container}' does not exist at {Location} and backup_create_containers is false.", container);
        }
        return false;
    }

    public (bool Reachable, string? Problem) Probe()
    {
        try
        {
            if (ContainerExists(_s.Container) || _s.CreateContainers)
            {
                return (true, null);
            }
            return (true, $"The container '{_s.Container}' does not exist and backup_create_containers is false.");
        }
        catch (CinderBackupException e)
        {
            return (false, e.Message);
        }
    }

    // ---- listings ----

    public IReadOnlyList<string> List(string container, string prefix)
    {
        ValidateContainer(container);
        var names = Listing(container, prefix, missingIsEmpty: true).ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public IEnumerable<(string Container, string Name)> Scan(string? container)
    {
        var c = container ?? _s.Container;
        ValidateContainer(c);
        if (!ContainerExists(c))
        {
            throw new CinderBackupException(ErrorIds.ContainerNotFound, ErrorKind.NotFound,
                $"Repository '{Repository}': the container '{c}' does not exist at {Location}.", c);
        }
        return Listing(c, "", missingIsEmpty: false).Select(name => (c, name));
    }

    /// <summary>The names under <paramref name="prefix"/>, a page of 10000 at a time (Swift lists in byte order); nothing beyond a page is held.</summary>
    private IEnumerable<string> Listing(string container, string prefix, bool missingIsEmpty)
    {
        string? marker = null;
        while (true)
        {
            var query = $"?format=json&limit={PageSize}&prefix={Uri.EscapeDataString(prefix)}" + (marker is null ? "" : "&marker=" + Uri.EscapeDataString(marker));
            List<string> page;
            using (var response = _client.Send($"listing '{prefix}' in the container '{container}'", container, null,
                url => new HttpRequestMessage(HttpMethod.Get, SwiftClient.Path(url, container) + query), accepted: HttpStatusCode.NotFound))
            {
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    if (missingIsEmpty)
                    {
                        yield break;
                    }
                    throw new CinderBackupException(ErrorIds.ContainerNotFound, ErrorKind.NotFound,
                        $"Repository '{Repository}': the container '{container}' does not exist at {Location}.", container);
                }
                page = ParseListing(container, response);
            }
            foreach (var name in page)
            {
                yield return name;
            }
            // Until an empty page, as swiftclient's full_listing: a server may cap the page below what was asked for
            // (Ceph RGW's Swift API: 1000 by default), so a short page does not mean the end.
            if (page.Count == 0)
            {
                yield break;
            }
            marker = page[^1];
        }
    }

    private List<string> ParseListing(string container, HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return new List<string>();
        }
        try
        {
            using var doc = JsonDocument.Parse(response.Content.ReadAsStream());
            return doc.RootElement.EnumerateArray()
                .Select(o => o.TryGetProperty("name", out var n) ? n.GetString() : null)
                .OfType<string>()
                .ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.IOError,
                $"Repository '{Repository}' (swift, {Location}): the listing of the container '{container}' is not Swift's JSON: {e.Message}", container, e);
        }
    }

    // ---- objects ----

    public long? Size(string container, string name)
    {
        ValidateContainer(container);
        ValidateName(name);
        using var response = _client.Send($"reading the size of '{name}'", container, name,
            url => new HttpRequestMessage(HttpMethod.Head, SwiftClient.Path(url, container, name)), accepted: HttpStatusCode.NotFound);
        return response.StatusCode == HttpStatusCode.NotFound ? null : response.Content.Headers.ContentLength ?? 0;
    }

    /// <summary>Swift has no second names for an object (a server-side copy costs a request, as a small upload does).</summary>
    public bool TryLink(string container, string existing, string name)
    {
        ValidateName(existing);
        return false;
    }

    public Stream OpenRead(string container, string name)
    {
        ValidateContainer(container);
        ValidateName(name);
        return new SwiftReadStream(this, container, name);
    }

    /// <summary>A GET of <paramref name="name"/> from byte <paramref name="from"/> on (retried); the caller disposes the response.</summary>
    internal HttpResponseMessage Get(string container, string name, long from) =>
        _client.Send($"reading '{name}'", container, name, url =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, SwiftClient.Path(url, container, name));
            if (from > 0)
            {
                request.Headers.Range = new RangeHeaderValue(from, null);
            }
            return request;
        }, HttpCompletionOption.ResponseHeadersRead);

    public void Delete(string container, string name)
    {
        ValidateContainer(container);
        ValidateName(name);
        using var _ = _client.Send($"deleting '{name}'", container, name,
            url => new HttpRequestMessage(HttpMethod.Delete, SwiftClient.Path(url, container, name)), accepted: HttpStatusCode.NotFound);
    }

    // ---- the repository marker: one object at the top of each container ----

    public string MarkerLocation(string container) => $"{Location}, container '{container}'";

    public string? ReadMarker(string container)
    {
        ValidateContainer(container);
        using var response = _client.Send("reading the repository marker", container, RepositoryMarker.Name,
            url => new HttpRequestMessage(HttpMethod.Get, SwiftClient.Path(url, container, RepositoryMarker.Name)), accepted: HttpStatusCode.NotFound);
        return response.StatusCode == HttpStatusCode.NotFound ? null : RepositoryMarker.ReadText(response.Content.ReadAsStream());
    }

    public bool CreateMarker(string container, string text)
    {
        ValidateContainer(container);
        var body = Encoding.UTF8.GetBytes(text);
        using var response = _client.Send("writing the repository marker", container, null, url =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, SwiftClient.Path(url, container, RepositoryMarker.Name)) { Content = new ByteArrayContent(body) };
            request.Headers.TryAddWithoutValidation("If-None-Match", "*");
            return request;
        }, accepted: HttpStatusCode.PreconditionFailed);
        return response.StatusCode != HttpStatusCode.PreconditionFailed; // one is there already: never replaced
    }

    // ---- staging and uploads ----

    public IStagedObject Stage(string container, string tag)
    {
        ValidateContainer(container);
        Directory.CreateDirectory(StagingDirectory);
        return new FileStagedObject(Repository, _uploads, container, System.IO.Path.Combine(StagingDirectory, $"{StagePrefix}{tag}-{Guid.NewGuid():N}"));
    }

    public void RemoveStaged(string container, string tag) => FileStagedObject.RemoveTagged(StagingDirectory, StagePrefix, tag);

    public void WaitForWrites() => _uploads.WaitForWrites();

    /// <summary>
    /// One PUT of the staged file, with <c>If-None-Match: *</c>. Its ETag must be the MD5 of the bytes sent (Cinder's
    /// SwiftObjectWriter check). A retried PUT refused because the object now exists was the earlier attempt arriving:
    /// accepted when the stored ETag is the MD5 sent.
    /// </summary>
    private async Task UploadAsync(string container, string name, string file)
    {
        ValidateName(name);
        var length = new FileInfo(file).Length;
        string md5;
        await using (var hashInput = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            md5 = Convert.ToHexString(await MD5.HashDataAsync(hashInput).ConfigureAwait(false)).ToLowerInvariant();
        }
        // Time to send the body counts toward the timeout at a pessimistic 128 KiB/s.
        var timeout = _s.Timeout + TimeSpan.FromSeconds(length / (128 * 1024));
        var retried = false;
        using var response = await _client.SendAsync($"uploading '{name}'", container, name, (url, attempt) =>
        {
            retried = attempt > 1;
            var body = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var content = new StreamContent(body);
            content.Headers.ContentLength = length;
            content.Headers.ContentType = SwiftClient.OctetStream;
            var request = new HttpRequestMessage(HttpMethod.Put, SwiftClient.Path(url, container, name)) { Content = content };
            request.Headers.TryAddWithoutValidation("If-None-Match", "*");
            return request;
        }, HttpCompletionOption.ResponseContentRead, timeout, HttpStatusCode.PreconditionFailed).ConfigureAwait(false);
        string? etag;
        if (response.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            etag = retried ? StoredEtag(container, name) : null;
            if (etag != md5)
            {
                throw new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.IOError,
                    $"Repository '{Repository}' (swift): the object '{name}' already exists in the container '{container}'; it is never replaced.", name);
            }
        }
        else
        {
            etag = Etag(response);
        }
        if (etag != md5)
        {
            throw new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.IOError,
                $"Repository '{Repository}' (swift): error writing object to swift, MD5 of object in swift {etag} is not the same as MD5 of object sent to swift {md5} ('{name}' in the container '{container}').", name);
        }
    }

    private string? StoredEtag(string container, string name)
    {
        using var response = _client.Send($"checking '{name}'", container, name,
            url => new HttpRequestMessage(HttpMethod.Head, SwiftClient.Path(url, container, name)), accepted: HttpStatusCode.NotFound);
        return response.StatusCode == HttpStatusCode.NotFound ? null : Etag(response);
    }

    /// <summary>The ETag as Swift sends it (unquoted, which .NET's typed header does not parse), lower case.</summary>
    private static string? Etag(HttpResponseMessage response) =>
        response.Headers.TryGetValues("ETag", out var values) ? values.FirstOrDefault()?.Trim().Trim('"').ToLowerInvariant() : null;
}
