using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.ObjectStores.S3;

/// <summary>
/// Cinder's S3BackupDriver layout: the container is a bucket, object keys use the slash prefix
/// <c>volume_&lt;vid&gt;/&lt;UTC time&gt;/az_&lt;zone&gt;_backup_&lt;bid&gt;</c>, each object is one PutObject with Content-MD5
/// (backup_s3_md5_validation) and optional SSE-C. Objects are staged in local temporary files and uploaded in the
/// background when committed, several at a time (backup_s3_max_pool_connections); <see cref="WaitForWrites"/> waits for
/// them. Every request is retried on transient failures (<see cref="S3Retry"/>); errors name the repository and never
/// carry a credential.
/// </summary>
internal sealed class S3ObjectStore : IObjectStore
{
    private const string StagePrefix = "cbstage-";
    private static readonly ConcurrentDictionary<string, AmazonS3Client> Clients = new();

    private readonly S3Settings _s;
    private readonly AmazonS3Client _client;
    private readonly S3Retry _retry;
    private readonly UploadQueue _uploads;

    public S3ObjectStore(S3Settings settings, S3Retry? retry = null)
    {
        _s = settings;
        _retry = retry ?? new S3Retry(settings.MaxAttempts);
        _uploads = new UploadQueue(settings.MaxConnections, UploadAsync, failure => new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.IOError,
            _s.Redact($"Repository '{Repository}' (s3): an upload failed: {failure.Message}"), Repository));
        _client = Clients.GetOrAdd(settings.ClientKey(), _ => CreateClient(settings));
    }

    public string Driver => "s3";

    public string ServiceName => Config.RepositoryDefinition.S3Service;

    public string Location => _s.Endpoint;

    public string Repository => _s.Repository;

    public S3Settings Settings => _s;

    public string StagingDirectory => Path.Combine(_s.TempDirectory, "s3-staging");

    private static AmazonS3Client CreateClient(S3Settings s)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = s.ForcePathStyle,
            MaxErrorRetry = 0,
            RetryMode = RequestRetryMode.Standard,
            ThrottleRetries = false,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            IgnoreConfiguredEndpointUrls = true,
            HttpClientFactory = new S3HttpClientFactory(s),
            MaxConnectionsPerServer = s.MaxConnections,
            DisableLogging = true,
        };
        if (s.EndpointUrl is { } url)
        {
            config.ServiceURL = url;
            config.AuthenticationRegion = s.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(s.Region);
        }
        AWSCredentials credentials = s.SessionToken is null
            ? new BasicAWSCredentials(s.AccessKey, s.SecretKey)
            : new SessionAWSCredentials(s.AccessKey, s.SecretKey, s.SessionToken);
        return new AmazonS3Client(credentials, config);
    }

    // ---- naming ----

    public string DefaultContainer(string backupId) => _s.Bucket;

    public string Prefix(string volumeId, string backupId, DateTime utc, string availabilityZone) =>
        ObjectPrefix(volumeId, backupId, utc, availabilityZone);

    /// <summary>Cinder's S3 (and Swift, GCS) object-name prefix: <c>volume_&lt;vid&gt;/&lt;UTC time&gt;/az_&lt;zone&gt;_backup_&lt;bid&gt;</c>.</summary>
    public static string ObjectPrefix(string volumeId, string backupId, DateTime utc, string availabilityZone) =>
        $"volume_{volumeId}/{utc:yyyyMMddHHmmss}/az_{availabilityZone}_backup_{backupId}";

    public void ValidateContainer(string container)
    {
        if (S3BucketNames.Problem(container) is { } problem)
        {
            throw new CinderBackupException(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument,
                $"Invalid container '{PrintableText.Brief(container)}' for repository '{Repository}' (s3): {problem}.", container);
        }
    }

    // ---- buckets ----

    public bool ContainerExists(string container)
    {
        ValidateContainer(container);
        return HeadBucket(container, _retry) == HttpStatusCode.OK;
    }

    public void PutContainer(string container)
    {
        if (BucketExistsOrMayBeCreated(container))
        {
            return;
        }
        try
        {
            Run($"creating the bucket '{container}'", container, null, ct => _client.PutBucketAsync(new PutBucketRequest { BucketName = container }, ct));
        }
        catch (CinderBackupException e) when (e.InnerException is S3RequestFailedException { Last: AmazonS3Exception { ErrorCode: "BucketAlreadyOwnedByYou" } })
        {
            // Created meanwhile by another backup.
        }
    }

    /// <summary>
    /// Only looks: the server answers, the credentials work, the bucket exists or may be created. The backup's writer
    /// creates it, so a request refused after this check (volume busy, quota) leaves no bucket behind.
    /// </summary>
    public void CheckWritable(string? container) => BucketExistsOrMayBeCreated(container ?? _s.Bucket);

    /// <summary>True when the bucket exists, false when it is missing and may be created; throws when it may not.</summary>
    private bool BucketExistsOrMayBeCreated(string container)
    {
        ValidateContainer(container);
        if (HeadBucket(container, _retry) == HttpStatusCode.OK)
        {
            return true;
        }
        if (!_s.CreateBuckets)
        {
            throw new CinderBackupException(ErrorIds.ContainerNotFound, ErrorKind.NotFound,
                $"Repository '{Repository}' (s3): the bucket '{container}' does not exist at {Location} and backup_create_containers is false.", container);
        }
        return false;
    }

    public (bool Reachable, string? Problem) Probe()
    {
        try
        {
            var status = HeadBucket(_s.Bucket, new S3Retry(1));
            if (status == HttpStatusCode.OK || _s.CreateBuckets)
            {
                return (true, null);
            }
            return (true, $"The bucket '{_s.Bucket}' does not exist and backup_create_containers is false.");
        }
        catch (CinderBackupException e)
        {
            return (false, e.Message);
        }
    }

    /// <summary>OK when the bucket exists, NotFound when it does not; anything else throws.</summary>
    private HttpStatusCode HeadBucket(string bucket, S3Retry retry)
    {
        try
        {
            RunWith(retry, $"checking the bucket '{bucket}'", bucket, null, ct => _client.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, ct));
            return HttpStatusCode.OK;
        }
        catch (CinderBackupException e) when (e.InnerException is S3RequestFailedException { Last: AmazonS3Exception s3 })
        {
            if (s3.StatusCode == HttpStatusCode.NotFound)
            {
                return HttpStatusCode.NotFound;
            }
            if (s3.StatusCode == HttpStatusCode.Forbidden && (string.IsNullOrEmpty(s3.ErrorCode) || s3.ErrorCode is "Forbidden" or "403"))
            {
                // HEAD answers carry no error document: a listing tells why access was refused.
                RunWith(retry, $"checking the bucket '{bucket}'", bucket, null,
                    ct => _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1 }, ct));
            }
            throw;
        }
    }

    // ---- objects ----

    public IReadOnlyList<string> List(string container, string prefix)
    {
        ValidateContainer(container);
        var names = new List<string>();
        string? token = null;
        do
        {
            var page = Run($"listing '{prefix}' in the bucket '{container}'", container, null, ct => _client.ListObjectsV2Async(
                new ListObjectsV2Request { BucketName = container, Prefix = prefix, ContinuationToken = token }, ct));
            if (page.S3Objects is { } objects)
            {
                names.AddRange(objects.Select(o => o.Key));
            }
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public IEnumerable<(string Container, string Name)> Scan(string? container)
    {
        var bucket = container ?? _s.Bucket;
        ValidateContainer(bucket);
        if (!ContainerExists(bucket))
        {
            throw new CinderBackupException(ErrorIds.ContainerNotFound, ErrorKind.NotFound,
                $"Repository '{Repository}': the bucket '{bucket}' does not exist at {Location}.", bucket);
        }
        // S3 lists keys in byte order, one page at a time: nothing beyond a page is held.
        string? token = null;
        do
        {
            var page = Run($"listing the bucket '{bucket}'", bucket, null, ct => _client.ListObjectsV2Async(
                new ListObjectsV2Request { BucketName = bucket, ContinuationToken = token }, ct));
            foreach (var o in page.S3Objects ?? new List<S3Object>())
            {
                yield return (bucket, o.Key);
            }
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
    }

    public long? Size(string container, string name)
    {
        ValidateContainer(container);
        try
        {
            var head = Run($"reading the size of '{name}'", container, name, ct =>
            {
                var request = new GetObjectMetadataRequest { BucketName = container, Key = name };
                if (_s.SseCustomerKey is not null)
                {
                    request.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.FindValue(_s.SseCustomerAlgorithm);
                    request.ServerSideEncryptionCustomerProvidedKey = SseKey();
                }
                return _client.GetObjectMetadataAsync(request, ct);
            });
            return head.ContentLength;
        }
        catch (CinderBackupException e) when (e.ErrorId == ErrorIds.BackupObjectMissing)
        {
            return null;
        }
    }

    /// <summary>S3 has no second names for an object (a server-side copy costs a request, as a small upload does).</summary>
    public bool TryLink(string container, string existing, string name) => false;

    public Stream OpenRead(string container, string name)
    {
        ValidateContainer(container);
        return new S3ReadStream(this, container, name);
    }

    /// <summary>A GET of <paramref name="name"/> from <paramref name="from"/> on (retried); the caller disposes the response.</summary>
    internal GetObjectResponse Get(string container, string name, long from)
    {
        return Run($"reading '{name}'", container, name, ct =>
        {
            var request = new GetObjectRequest { BucketName = container, Key = name };
            if (from > 0)
            {
                request.ByteRange = new ByteRange($"bytes={from}-");
            }
            if (_s.SseCustomerKey is not null)
            {
                request.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.FindValue(_s.SseCustomerAlgorithm);
                request.ServerSideEncryptionCustomerProvidedKey = SseKey();
            }
            return _client.GetObjectAsync(request, ct);
        });
    }

    public void Delete(string container, string name)
    {
        ValidateContainer(container);
        try
        {
            Run($"deleting '{name}'", container, name, ct => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = container, Key = name }, ct));
        }
        catch (CinderBackupException e) when (e.ErrorId == ErrorIds.BackupObjectMissing)
        {
        }
    }

    // ---- the repository marker: one object at the top of each bucket ----

    public string MarkerLocation(string container) => $"{Location}, bucket '{container}'";

    public string? ReadMarker(string container)
    {
        ValidateContainer(container);
        try
        {
            // Never with SSE-C: the marker holds no secret and must read the same whatever key a host has.
            using var response = Run("reading the repository marker", container, RepositoryMarker.Name,
                ct => _client.GetObjectAsync(new GetObjectRequest { BucketName = container, Key = RepositoryMarker.Name }, ct));
            return RepositoryMarker.ReadText(response.ResponseStream);
        }
        catch (CinderBackupException e) when (e.ErrorId is ErrorIds.BackupObjectMissing or ErrorIds.ContainerNotFound)
        {
            return null;
        }
    }

    public bool CreateMarker(string container, string text)
    {
        ValidateContainer(container);
        try
        {
            PutMarker(container, text, ifNoneMatch: true);
            return true;
        }
        catch (CinderBackupException e) when (e.InnerException is S3RequestFailedException { Last: AmazonS3Exception s3 })
        {
            if (s3.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
            {
                return false; // one is there already (or being written): never replaced
            }
            if (s3.StatusCode is not (HttpStatusCode.NotImplemented or HttpStatusCode.BadRequest))
            {
                throw;
            }
        }
        // A server without conditional writes: look, then write (a race of two first backups is then possible).
        if (ReadMarker(container) is not null)
        {
            return false;
        }
        PutMarker(container, text, ifNoneMatch: false);
        return true;
    }

    private void PutMarker(string container, string text, bool ifNoneMatch)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(text);
        Run("writing the repository marker", container, RepositoryMarker.Name, ct =>
        {
            var request = new PutObjectRequest
            {
                BucketName = container,
                Key = RepositoryMarker.Name,
                InputStream = new MemoryStream(body),
                UseChunkEncoding = false,
                MD5Digest = Convert.ToBase64String(MD5.HashData(body)),
            };
            if (ifNoneMatch)
            {
                request.IfNoneMatch = "*";
            }
            return _client.PutObjectAsync(request, ct);
        });
    }

    // ---- staging and uploads ----

    public IStagedObject Stage(string container, string tag)
    {
        ValidateContainer(container);
        Directory.CreateDirectory(StagingDirectory);
        return new FileStagedObject(Repository, _uploads, container, Path.Combine(StagingDirectory, $"{StagePrefix}{tag}-{Guid.NewGuid():N}"));
    }

    public void RemoveStaged(string container, string tag) => FileStagedObject.RemoveTagged(StagingDirectory, StagePrefix, tag);

    public void WaitForWrites() => _uploads.WaitForWrites();

    private async Task UploadAsync(string container, string name, string file)
    {
        var length = new FileInfo(file).Length;
        string? md5 = null;
        if (_s.Md5Validation)
        {
            await using var hashInput = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            md5 = Convert.ToBase64String(await MD5.HashDataAsync(hashInput).ConfigureAwait(false));
        }
        // Time to send the body counts toward the timeout at a pessimistic 128 KiB/s.
        var timeout = _s.Timeout + TimeSpan.FromSeconds(length / (128 * 1024));
        await RunAsync($"uploading '{name}'", container, name, async ct =>
        {
            await using var body = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var request = new PutObjectRequest
            {
                BucketName = container,
                Key = name,
                InputStream = body,
                AutoCloseStream = false,
                UseChunkEncoding = false,
                DisablePayloadSigning = _s.UsesTls ? true : null,
            };
            request.Headers.ContentLength = length;
            if (md5 is not null)
            {
                request.MD5Digest = md5;
            }
            if (_s.SseCustomerKey is not null)
            {
                request.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.FindValue(_s.SseCustomerAlgorithm);
                request.ServerSideEncryptionCustomerProvidedKey = SseKey();
            }
            return await _client.PutObjectAsync(request, ct).ConfigureAwait(false);
        }, timeout).ConfigureAwait(false);
    }

    private string SseKey() => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(_s.SseCustomerKey!));

    // ---- requests ----

    private T Run<T>(string what, string bucket, string? key, Func<CancellationToken, Task<T>> operation) =>
        RunWith(_retry, what, bucket, key, operation);

    private T RunWith<T>(S3Retry retry, string what, string bucket, string? key, Func<CancellationToken, Task<T>> operation) =>
        Task.Run(() => RunAsync(what, bucket, key, operation, _s.Timeout, retry)).GetAwaiter().GetResult();

    private async Task<T> RunAsync<T>(string what, string bucket, string? key, Func<CancellationToken, Task<T>> operation, TimeSpan timeout, S3Retry? retry = null)
    {
        try
        {
            return await (retry ?? _retry).RunAsync((_, ct) => operation(ct), timeout).ConfigureAwait(false);
        }
        catch (S3RequestFailedException e)
        {
            throw Translate(what, bucket, key, e);
        }
    }

    /// <summary>One clear error per failure, naming the repository, the bucket or object, and never a credential.</summary>
    internal CinderBackupException Translate(string what, string bucket, string? key, S3RequestFailedException failure)
    {
        var last = failure.Last;
        var head = $"Repository '{Repository}' (s3, {Location}): {what} failed";
        var tries = failure.Attempts > 1 ? $" after {failure.Attempts} attempts" : "";
        string Clean(string s) => _s.Redact(s);
        if (last is AmazonServiceException { StatusCode: not 0 } service)
        {
            var code = string.IsNullOrEmpty(service.ErrorCode) ? service.StatusCode.ToString() : service.ErrorCode;
            var detail = Clean($"{code} (HTTP {(int)service.StatusCode}){(string.IsNullOrWhiteSpace(service.Message) || service.Message == code ? "" : ": " + service.Message.Trim().TrimEnd('.'))}");
            switch (code)
            {
                case "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "AccessDenied" or "Forbidden" or "InvalidToken" or "ExpiredToken" or "AllAccessDisabled":
                    return new CinderBackupException(ErrorIds.RepositoryAccessDenied, ErrorKind.PermissionDenied,
                        $"{head}: access was refused: {detail}. Check the S3 credentials (taken from the {_s.CredentialSource}) and their rights on the bucket '{bucket}'.",
                        Repository, failure);
                case "NoSuchBucket":
                    return new CinderBackupException(ErrorIds.ContainerNotFound, ErrorKind.NotFound,
                        $"{head}: the bucket '{bucket}' does not exist.", bucket, failure);
                case "InvalidBucketName":
                    return new CinderBackupException(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument,
                        $"{head}: the server rejects the bucket name '{bucket}': {detail}.", bucket, failure);
                case "NoSuchKey" or "NotFound" when key is not null:
                    return new CinderBackupException(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData,
                        $"Backup object '{key}' is missing from the bucket '{bucket}' of repository '{Repository}'.", key, failure);
            }
            if (failure.Transient)
            {
                return new CinderBackupException(ErrorIds.RepositoryUnavailable, ErrorKind.IOError,
                    $"{head}{tries}: the server answered {detail}.", Repository, failure);
            }
            return new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.IOError, $"{head}: {detail}.", key ?? bucket, failure);
        }
        var reason = last is TimeoutException ? $"{Location} gave no answer within {_s.Timeout.TotalSeconds:0.#} s" : $"{Location} does not answer: {Innermost(last)}";
        return new CinderBackupException(ErrorIds.RepositoryUnavailable, ErrorKind.IOError, Clean($"{head}{tries}: {reason}."), Repository, failure);
    }

    /// <summary>The innermost messages of a failure ("Connection refused"), for errors of remote stores.</summary>
    internal static string Innermost(Exception e)
    {
        var messages = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (!string.IsNullOrWhiteSpace(x.Message) && !messages.Contains(x.Message.Trim()))
            {
                messages.Add(x.Message.Trim());
            }
        }
        // The innermost messages say most ("Connection refused"); drop those another one already contains.
        messages = messages.Where(m => !messages.Any(o => o != m && o.Contains(m, StringComparison.Ordinal))).ToList();
        return messages.Count == 0 ? e.GetType().Name : string.Join(" / ", messages.TakeLast(2)).TrimEnd('.');
    }
}
