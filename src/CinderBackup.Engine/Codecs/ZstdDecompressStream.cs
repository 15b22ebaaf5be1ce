namespace CinderBackup.Engine.Codecs;

/// <summary>Read-only stream decompressing one or more concatenated zstd frames.</summary>
internal sealed unsafe class ZstdDecompressStream<TApi> : DecompressingStream
    where TApi : IZstdApi
{
    private IntPtr _dctx;
    private nuint _lastHint = 1; // non-zero: a frame is in progress (or none has started)
    private bool _anyFrame;
    private bool _pendingOutput;

    public ZstdDecompressStream(Stream input)
        : base(input)
    {
        _dctx = TApi.CreateDCtx();
        if (_dctx == IntPtr.Zero)
        {
            throw new OutOfMemoryException("zstd: cannot create a decompression context.");
        }
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }
        while (true)
        {
            // With no input left, zstd may still hold output from a call that filled the caller's buffer.
            if (!Refill() && !_pendingOutput)
            {
                if (!_anyFrame || _lastHint != 0)
                {
                    throw new InvalidDataException(_anyFrame ? "zstd: the frame is truncated." : "zstd: no data.");
                }
                return 0;
            }
            fixed (byte* src = Input)
            fixed (byte* dst = buffer)
            {
                var input = new ZstdNative.Buffer { Data = src, Size = (nuint)Input.Length, Pos = 0 };
                var output = new ZstdNative.Buffer { Data = dst, Size = (nuint)buffer.Length, Pos = 0 };
                _lastHint = ZstdErrors.Check<TApi>(TApi.DecompressStream(_dctx, &output, &input));
                _anyFrame = true;
                InputPosition += (int)input.Pos;
                // A full output buffer may leave data inside zstd, unless the frame just ended (hint 0).
                _pendingOutput = output.Pos == output.Size && _lastHint != 0;
                if (output.Pos > 0)
                {
                    return (int)output.Pos;
                }
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (_dctx != IntPtr.Zero)
        {
            TApi.FreeDCtx(_dctx);
            _dctx = IntPtr.Zero;
        }
        base.Dispose(disposing);
    }
}
