using System.Buffers;

namespace CinderBackup.Engine.Codecs;

/// <summary>Write-only stream compressing into one zstd frame whose header records the pledged content size.</summary>
internal sealed unsafe class ZstdCompressStream : Stream
{
    private const int OutSize = 1 << 17;
    private readonly Stream _output;
    private readonly long _contentSize;
    private readonly byte[] _out = ArrayPool<byte>.Shared.Rent(OutSize);
    private IntPtr _cctx;
    private long _written;

    public ZstdCompressStream(Stream output, long contentSize, int level)
    {
        _output = output;
        _contentSize = contentSize;
        _cctx = ZstdNative.CreateCCtx();
        if (_cctx == IntPtr.Zero)
        {
            throw new OutOfMemoryException("zstd: cannot create a compression context.");
        }
        ZstdNative.Check(ZstdNative.SetParameter(_cctx, ZstdNative.CompressionLevelParameter, level));
        ZstdNative.Check(ZstdNative.SetParameter(_cctx, ZstdNative.ContentSizeFlagParameter, 1));
        ZstdNative.Check(ZstdNative.SetPledgedSrcSize(_cctx, (ulong)contentSize));
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

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

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

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
                ZstdNative.FreeCCtx(_cctx);
                _cctx = IntPtr.Zero;
                ArrayPool<byte>.Shared.Return(_out);
            }
        }
        base.Dispose(disposing);
    }

    private nuint Pump(ZstdNative.Buffer* input, int end)
    {
        fixed (byte* dst = _out)
        {
            var output = new ZstdNative.Buffer { Data = dst, Size = (nuint)OutSize, Pos = 0 };
            var remaining = ZstdNative.Check(ZstdNative.CompressStream2(_cctx, &output, input, end));
            if (output.Pos > 0)
            {
                _output.Write(_out, 0, (int)output.Pos);
            }
            return remaining;
        }
    }
}
