using System.Buffers;

namespace CinderBackup.Engine.Codecs;

/// <summary>
/// Base of the native decompressors (zstd, bzip2): a read-only stream over an input stream read in 128 KiB
/// slices; subclasses decode from <see cref="Input"/>.
/// </summary>
internal abstract class DecompressingStream : Stream
{
    private const int InSize = 1 << 17;
    private readonly Stream _input;
    private byte[]? _in = ArrayPool<byte>.Shared.Rent(InSize);

    protected DecompressingStream(Stream input) => _input = input;

    /// <summary>Input not consumed yet.</summary>
    protected ReadOnlySpan<byte> Input => _in.AsSpan(InputPosition, InputLength - InputPosition);

    protected int InputPosition { get; set; }

    protected int InputLength { get; private set; }

    /// <summary>The input stream has ended.</summary>
    protected bool InputEnded { get; private set; }

    /// <summary>Reads more input when all of it is consumed; false when none is left.</summary>
    protected bool Refill()
    {
        if (InputPosition == InputLength && !InputEnded)
        {
            InputLength = _input.Read(_in!, 0, InSize);
            InputPosition = 0;
            InputEnded = InputLength == 0;
        }
        return InputPosition < InputLength;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_in is not null)
        {
            ArrayPool<byte>.Shared.Return(_in);
            _in = null;
        }
        base.Dispose(disposing);
    }
}
