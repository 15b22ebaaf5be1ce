using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.ObjectStores;

/// <summary>
/// Reads one remote object (S3, Swift) as a stream without holding it in memory. A read that fails or stalls longer
/// than the store's timeout resumes from where it stopped (a ranged GET the subclass opens), up to a number of failures
/// in all, waiting between attempts as the store's retries do.
/// </summary>
internal abstract class ResumingReadStream : Stream
{
    private readonly string _name;
    private readonly TimeSpan _timeout;
    private readonly int _maxFailures;
    private Stream? _body;
    private long _position;
    private int _failures;
    private long _length = long.MaxValue;

    protected ResumingReadStream(string name, TimeSpan timeout, int maxFailures)
    {
        _name = name;
        _timeout = timeout;
        _maxFailures = maxFailures;
    }

    /// <summary>Starts the first GET (called by the subclass's constructor): sets the body and returns the object's length.</summary>
    protected void Start(Stream body, long length)
    {
        _body = body;
        _length = length;
    }

    /// <summary>A GET from byte <paramref name="from"/> on; returns its body.</summary>
    protected abstract Stream Reopen(long from);

    /// <summary>Closes the current response.</summary>
    protected abstract void CloseResponse();

    /// <summary>The wait after failure number <paramref name="failure"/>.</summary>
    protected abstract TimeSpan Backoff(int failure);

    /// <summary>The error after the last failure, naming the store (and never a credential).</summary>
    protected abstract CinderBackupException Failed(string name, int failures, long position, Exception last);

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
        if (buffer.IsEmpty || _position >= Length)
        {
            return 0;
        }
        while (true)
        {
            try
            {
                var n = ReadWithTimeout(buffer);
                if (n == 0 && _position < Length)
                {
                    throw new IOException($"the connection ended after {_position} of {Length} bytes");
                }
                _position += n;
                return n;
            }
            catch (Exception e) when (e is IOException or TimeoutException or HttpRequestException or OperationCanceledException)
            {
                if (++_failures >= _maxFailures)
                {
                    throw Failed(_name, _failures, _position, e);
                }
                Thread.Sleep(Backoff(_failures));
                CloseBody();
                _body = Reopen(_position);
            }
        }
    }

    private int ReadWithTimeout(Span<byte> buffer)
    {
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            using var cts = new CancellationTokenSource(_timeout);
            int n;
            try
            {
                n = _body!.ReadAsync(rented.AsMemory(0, buffer.Length), cts.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException e) when (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"no data within {_timeout.TotalSeconds:0.#} s", e);
            }
            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void CloseBody()
    {
        try
        {
            _body?.Dispose();
            CloseResponse();
        }
        catch (IOException)
        {
        }
        _body = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseBody();
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
