using System.Buffers;

namespace CinderBackup.Engine.Codecs;

/// <summary>
/// Base of the native compressors (zstd, bzip2): a write-only stream that hands each 128 KiB of output to the
/// output stream; disposing finishes the compressed stream (subclasses) and leaves the output open.
/// </summary>
internal abstract class CompressingStream : Stream
{
    protected const int OutSize = 1 << 17;
    private readonly Stream _output;
    private byte[]? _out = ArrayPool<byte>.Shared.Rent(OutSize);

    protected CompressingStream(Stream output) => _output = output;

    /// <summary>The stream the compressed bytes go to.</summary>
    protected Stream Output => _output;

    /// <summary>Where the compressor writes; <see cref="Emit"/> passes the first bytes on.</summary>
    protected byte[] OutBuffer => _out ?? throw new ObjectDisposedException(GetType().Name);

    protected void Emit(int count)
    {
        if (count > 0)
        {
            _output.Write(_out!, 0, count);
        }
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_out is not null)
        {
            ArrayPool<byte>.Shared.Return(_out);
            _out = null;
        }
        base.Dispose(disposing);
    }
}
