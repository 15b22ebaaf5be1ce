namespace CinderBackup.Engine.Codecs;

/// <summary>Write-only stream compressing into one zstd frame whose header records the pledged content size.</summary>
internal sealed unsafe class ZstdCompressStream<TApi> : CompressingStream
    where TApi : IZstdApi
{
    private readonly long _contentSize;
    private IntPtr _cctx;
    private long _written;

    public ZstdCompressStream(Stream output, long contentSize, int level)
        : base(output)
    {
        _contentSize = contentSize;
        _cctx = TApi.CreateCCtx();
        if (_cctx == IntPtr.Zero)
        {
            throw new OutOfMemoryException("zstd: cannot create a compression context.");
        }
        ZstdErrors.Check<TApi>(TApi.SetParameter(_cctx, ZstdNative.CompressionLevelParameter, level));
        ZstdErrors.Check<TApi>(TApi.SetParameter(_cctx, ZstdNative.ContentSizeFlagParameter, 1));
        // Cinder's reader (python-zstd) sizes its output from the frame header: the size must be in it.
        ZstdErrors.Check<TApi>(TApi.SetPledgedSrcSize(_cctx, (ulong)contentSize));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _written += buffer.Length;
        fixed (byte* src = buffer)
        {
            var input = new ZstdNative.Buffer { Data = src, Size = (nuint)buffer.Length, Pos = 0 };
            while (input.Pos < input.Size)
            {
                Pump(&input, ZstdNative.EndContinue);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (_cctx != IntPtr.Zero)
        {
            try
            {
                if (disposing)
                {
                    if (_written != _contentSize)
                    {
                        throw new InvalidOperationException($"zstd: {_written} bytes written, {_contentSize} pledged.");
                    }
                    var empty = new ZstdNative.Buffer();
                    while (Pump(&empty, ZstdNative.EndFrame) != 0)
                    {
                    }
                }
            }
            finally
            {
                TApi.FreeCCtx(_cctx);
                _cctx = IntPtr.Zero;
                base.Dispose(disposing);
            }
        }
    }

    private nuint Pump(ZstdNative.Buffer* input, int end)
    {
        fixed (byte* dst = OutBuffer)
        {
            var output = new ZstdNative.Buffer { Data = dst, Size = (nuint)OutSize, Pos = 0 };
            var remaining = ZstdErrors.Check<TApi>(TApi.CompressStream2(_cctx, &output, input, end));
            Emit((int)output.Pos);
            return remaining;
        }
    }
}
