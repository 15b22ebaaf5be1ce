using System.Buffers.Binary;
using System.IO.Compression;

namespace CinderBackup.Engine.Codecs;

/// <summary>
/// A zlib stream (RFC 1950) that deflates what compresses and stores what does not: data is judged 256 KiB at
/// a time (<see cref="Compressibility"/>); random stretches go out as stored deflate blocks at copying speed
/// instead of through the deflater, which takes as long on random data as on text. Any zlib reader, Python's
/// included, reads the result: deflated stretches are ended with a sync flush (byte-aligned, not final) before
/// stored blocks follow, and the stream ends with an empty final block and the Adler-32 of all the data.
/// </summary>
internal sealed class ZlibCompressStream : CompressingStream
{
    private const int Chunk = 256 * 1024;
    private const int MaxStored = 65535;
    private readonly CompressionLevel _level;
    private readonly Gate _gate;
    private DeflateStream? _deflate;
    private Adler32 _adler = new();
    private bool _finished;

    public ZlibCompressStream(Stream output, CompressionLevel level)
        : base(output)
    {
        _level = level;
        _gate = new Gate(output);
        output.Write(stackalloc byte[] { 0x78, 0x9C }); // deflate, 32 KiB window, default level
    }

    public override void Write(ReadOnlySpan<byte> data)
    {
        _adler.Append(data);
        while (data.Length > 0)
        {
            var chunk = data[..Math.Min(Chunk, data.Length)];
            if (Compressibility.IsHopeless(chunk))
            {
                EndDeflate();
                Store(chunk);
            }
            else
            {
                _deflate ??= new DeflateStream(_gate.Open(), _level, leaveOpen: true);
                _deflate.Write(chunk);
            }
            data = data[chunk.Length..];
        }
    }

    /// <summary>Stored blocks of up to 64 KiB: a header byte, LEN and its complement, the bytes.</summary>
    private void Store(ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[5];
        while (data.Length > 0)
        {
            var n = Math.Min(MaxStored, data.Length);
            header[0] = 0; // not final, stored; byte-aligned already
            BinaryPrimitives.WriteUInt16LittleEndian(header[1..], (ushort)n);
            BinaryPrimitives.WriteUInt16LittleEndian(header[3..], (ushort)~n);
            Output.Write(header);
            Output.Write(data[..n]);
            data = data[n..];
        }
    }

    /// <summary>Ends a deflated stretch at a byte boundary; the deflater's own final block is not let through.</summary>
    private void EndDeflate()
    {
        if (_deflate is not null)
        {
            _deflate.Flush(); // a sync flush: the stretch ends byte-aligned, without a final block
            _gate.Shut();
            _deflate.Dispose();
            _deflate = null;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_finished)
        {
            _finished = true;
            EndDeflate();
            Span<byte> tail = stackalloc byte[] { 0x01, 0x00, 0x00, 0xFF, 0xFF, 0, 0, 0, 0 }; // empty final stored block, Adler-32
            BinaryPrimitives.WriteUInt32BigEndian(tail[5..], _adler.Value);
            Output.Write(tail);
        }
        base.Dispose(disposing);
    }

    /// <summary>Passes a deflater's output on until closed, then drops it.</summary>
    private sealed class Gate : Stream
    {
        private readonly Stream _output;
        private bool _open;

        public Gate(Stream output) => _output = output;

        public Gate Open()
        {
            _open = true;
            return this;
        }

        public void Shut() => _open = false;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_open)
            {
                _output.Write(buffer);
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
