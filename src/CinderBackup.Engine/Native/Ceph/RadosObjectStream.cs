namespace CinderBackup.Engine.Native.Ceph;

/// <summary>
/// A RADOS object as a stream: written front to back in 1 MiB writes (the first replaces the object), or read front to
/// back in 1 MiB reads, so a document of any size passes in bounded memory.
/// </summary>
internal sealed class RadosObjectStream : Stream
{
    private const int Piece = 1 << 20;
    private readonly RadosPool _pool;
    private readonly string _oid;
    private readonly bool _write;
    private readonly byte[] _buffer = new byte[Piece];
    private int _buffered;
    private long _position;
    private bool _started;

    private RadosObjectStream(RadosPool pool, string oid, bool write)
    {
        _pool = pool;
        _oid = oid;
        _write = write;
    }

    public static RadosObjectStream Create(RadosPool pool, string oid) => new(pool, oid, write: true);

    public static RadosObjectStream OpenRead(RadosPool pool, string oid) => new(pool, oid, write: false);

    public override bool CanRead => !_write;
    public override bool CanSeek => false;
    public override bool CanWrite => _write;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_write)
        {
            throw new NotSupportedException();
        }
        var n = _pool.ReadObject(_oid, buffer[..Math.Min(buffer.Length, Piece)], _position);
        _position += n;
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            var n = Math.Min(data.Length, Piece - _buffered);
            data[..n].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += n;
            data = data[n..];
            if (_buffered == Piece)
            {
                Flush();
            }
        }
    }

    public override void Flush()
    {
        if (!_write || (_buffered == 0 && _started))
        {
            return;
        }
        if (!_started)
        {
            _pool.WriteObject(_oid, _buffer.AsSpan(0, _buffered)); // write_full: replaces what was there
            _started = true;
        }
        else
        {
            _pool.WriteObject(_oid, _buffer.AsSpan(0, _buffered), _position);
        }
        _position += _buffered;
        _buffered = 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _write)
        {
            Flush();
        }
        base.Dispose(disposing);
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
