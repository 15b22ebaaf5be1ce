using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.ObjectStores.Swift;

/// <summary>
/// Reads one Swift object as a stream without holding it in memory (Cinder's reader takes the whole object at once).
/// A read that fails or stalls longer than backup_swift_timeout resumes with a ranged GET from where it stopped, up to
/// backup_swift_retry_attempts times, waiting as the client's retries do.
/// </summary>
internal sealed class SwiftReadStream : ResumingReadStream
{
    private readonly SwiftObjectStore _store;
    private readonly string _container;
    private readonly string _name;
    private HttpResponseMessage? _response;

    public SwiftReadStream(SwiftObjectStore store, string container, string name)
        : base(name, store.Settings.Timeout, store.Settings.RetryAttempts + 1)
    {
        _store = store;
        _container = container;
        _name = name;
        _response = store.Get(container, name, 0);
        Start(_response.Content.ReadAsStream(), _response.Content.Headers.ContentLength ?? long.MaxValue);
    }

    protected override Stream Reopen(long from)
    {
        _response = _store.Get(_container, _name, from);
        return _response.Content.ReadAsStream();
    }

    protected override void CloseResponse()
    {
        _response?.Dispose();
        _response = null;
    }

    protected override TimeSpan Backoff(int failure) => _store.Client.Backoff(failure);

    protected override CinderBackupException Failed(string name, int failures, long position, Exception last) =>
        new(ErrorIds.RepositoryUnavailable, ErrorKind.IOError,
            _store.Client.Redact($"Repository '{_store.Repository}' (swift, {_store.Location}): reading '{name}' failed after {failures} attempts at byte {position}: {last.Message}"),
            name, last);
}
