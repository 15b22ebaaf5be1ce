using System.Buffers;

namespace CinderBackup.Engine.Codecs;

/// <summary>Read-only stream decompressing one or more concatenated zstd frames.</summary>
internal sealed unsafe class ZstdDecompressStream : Stream
{
    private const int InSize = 1 << 17;
    private readonly Stream _input;
    private readonly byte[] _in = ArrayPool<byte>.Shared.Rent(InSize);
    private IntPtr _dctx;
    private int _inLength;
    private int _inPos;
    private bool _inputEnded;
    private nuint _lastHint = 1; // non-zero: a frame is in progress (or none has started)
    private bool _anyFrame;
    private bool _pendingOutput;

    public ZstdDecompressStream(Stream input)
    {
        _input = input;
        _dctx = ZstdNative.CreateDCtx();
        if (_dctx == IntPtr.Zero)
        {
            throw new OutOfMemoryException("zstd: cannot create a decompression context.");
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }
        while (true)
        {
            if (_inPos == _inLength && !_inputEnded)
            {
                _inLength = _input.Read(_in, 0, InSize);
                _inPos = 0;
                _inputEnded = _inLength == 0;
            }
            // With no input left, zstd may still hold output from a call that filled the caller's buffer.
            if (_inPos == _inLength && _inputEnded && !_pendingOutput)
            {
                if (!_anyFrame || _lastHint != 0)
                {
                    throw new InvalidDataException(_anyFrame ? "zstd: the frame is truncated." : "zstd: no data.");
                }
                return 0;
            }
            fixed (byte* src = _in)
            fixed (byte* dst = buffer)
            {
                var input = new ZstdNative.Buffer { Data = src + _inPos, Size = (nuint)(_inLength - _inPos), Pos = 0 };
                var output = new ZstdNative.Buffer { Data = dst, Size = (nuint)buffer.Length, Pos = 0 };
                _lastHint = ZstdNative.Check(ZstdNative.DecompressStream(_dctx, &output, &input));
                _anyFrame = true;
                _inPos += (int)input.Pos;
                // A full output buffer may leave data inside zstd, unless the frame just ended (hint 0).
                _pendingOutput = output.Pos == output.Size && _lastHint != 0;
                if (output.Pos > 0)
                {
                    return (int)output.Pos;
                }
            }
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_dctx != IntPtr.Zero)
        {
            ZstdNative.FreeDCtx(_dctx);
            _dctx = IntPtr.Zero;
            ArrayPool<byte>.Shared.Return(_in);
        }
        base.Dispose(disposing);
    }
}
