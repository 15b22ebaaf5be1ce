using Amazon.S3.Model;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.ObjectStores.S3;

/// <summary>
/// Reads one S3 object as a stream without holding it in memory. A read that fails or stalls longer than
/// backup_s3_timeout resumes with a ranged GET from where it stopped, up to backup_s3_retry_max_attempts times
/// in all (Cinder's reader retries the same errors, but re-reads the whole object).
/// </summary>
internal sealed class S3ReadStream : ResumingReadStream
{
    private readonly S3ObjectStore _store;
    private readonly string _container;
    private readonly string _name;
    private GetObjectResponse? _response;

    public S3ReadStream(S3ObjectStore store, string container, string name)
        : base(name, store.Settings.Timeout, store.Settings.MaxAttempts)
    {
        _store = store;
        _container = container;
        _name = name;
        _response = store.Get(container, name, 0);
        Start(_response.ResponseStream, _response.ContentLength);
    }

    protected override Stream Reopen(long from)
    {
        _response = _store.Get(_container, _name, from);
        return _response.ResponseStream;
    }

    protected override void CloseResponse()
    {
        _response?.Dispose();
        _response = null;
    }

    protected override TimeSpan Backoff(int failure) => S3Retry.Backoff(failure);

    protected override CinderBackupException Failed(string name, int failures, long position, Exception last) =>
        new(ErrorIds.RepositoryUnavailable, ErrorKind.IOError,
            _store.Settings.Redact($"Repository '{_store.Repository}' (s3, {_store.Location}): reading '{name}' failed after {failures} attempts at byte {position}: {last.Message}"),
            name, last);
}
