using Amazon.S3.Model;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.ObjectStores.S3;

/// <summary>
/// Reads one S3 object as a stream without holding it in memory. A read that fails or stalls longer than
/// backup_s3_timeout resumes with a ranged GET from where it stopped, up to backup_s3_retry_max_attempts times
/// in all (Cinder's reader retries the same errors, but re-reads the whole object).
/// </summary>
internal sealed class S3ReadStream : Stream
{
    private readonly S3ObjectStore _store;
    private readonly string _container;
    private readonly string _name;
    private GetObjectResponse? _response;
    private Stream? _body;
    private long _position;
    private readonly long _length;
    private int _failures;

    public S3ReadStream(S3ObjectStore store, string container, string name)
    {
        _store = store;
        _container = container;
        _name = name;
        _response = store.Get(container, name, 0);
        _body = _response.ResponseStream;
        _length = _response.ContentLength;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _position >= _length)
        {
            return 0;
        }
        while (true)
        {
            try
            {
                var n = ReadWithTimeout(buffer);
                if (n == 0 && _position < _length)
                {
                    throw new IOException($"the connection ended after {_position} of {_length} bytes");
                }
                _position += n;
                return n;
            }
            catch (Exception e) when (e is IOException or TimeoutException or HttpRequestException or OperationCanceledException)
            {
                if (++_failures >= _store.Settings.MaxAttempts)
                {
                    throw new CinderBackupException(ErrorIds.RepositoryUnavailable, ErrorKind.IOError,
                        _store.Settings.Redact($"Repository '{_store.Repository}' (s3, {_store.Location}): reading '{_name}' failed after {_failures} attempts at byte {_position}: {e.Message}"),
                        _name, e);
                }
                Thread.Sleep(S3Retry.Backoff(_failures));
                Reopen();
            }
        }
    }

    private int ReadWithTimeout(Span<byte> buffer)
    {
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            using var cts = new CancellationTokenSource(_store.Settings.Timeout);
            int n;
            try
            {
                n = _body!.ReadAsync(rented.AsMemory(0, buffer.Length), cts.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException e) when (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"no data within {_store.Settings.Timeout.TotalSeconds:0.#} s", e);
            }
            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Reopen()
    {
        CloseResponse();
        _response = _store.Get(_container, _name, _position);
        _body = _response.ResponseStream;
    }

    private void CloseResponse()
    {
        try
        {
            _body?.Dispose();
            _response?.Dispose();
        }
        catch (IOException)
        {
        }
        _body = null;
        _response = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseResponse();
        }
        base.Dispose(disposing);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
