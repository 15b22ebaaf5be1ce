using System.Security.Cryptography;

namespace CinderBackup.Engine.Hashing;

/// <summary>
/// A pass-through stream that hashes (SHA-256) every byte read from or written to it: the backup documents are
/// fingerprinted as they are written and checked as they are read, without a second pass over them.
/// </summary>
internal sealed class DigestStream : Stream
{
    private readonly Stream _inner;
    private readonly bool _reading;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    private DigestStream(Stream inner, bool reading)
    {
        _inner = inner;
        _reading = reading;
    }

    public static DigestStream ForWriting(Stream inner) => new(inner, reading: false);

    public static DigestStream ForReading(Stream inner) => new(inner, reading: true);

    /// <summary>The lowercase hex SHA-256 of everything that passed; a reader first consumes what is left.</summary>
    public string Finish()
    {
        if (_reading)
        {
            var buffer = new byte[81920];
            while (Read(buffer, 0, buffer.Length) > 0)
            {
            }
        }
        return Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();
    }

    public override bool CanRead => _reading;
    public override bool CanSeek => false;
    public override bool CanWrite => !_reading;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _inner.Write(buffer);
        _hash.AppendData(buffer);
    }

    public override void Flush() => _inner.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
