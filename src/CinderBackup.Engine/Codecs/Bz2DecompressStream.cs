using System.Runtime.InteropServices;

namespace CinderBackup.Engine.Codecs;

/// <summary>
/// Read-only stream decompressing bzip2 with the system libbz2; concatenated streams are read one after the
/// other, as Python's bz2.decompress (Cinder's reader) does.
/// </summary>
internal sealed unsafe class Bz2DecompressStream : DecompressingStream
{
    private Bz2Native.Stream* _strm = (Bz2Native.Stream*)NativeMemory.AllocZeroed((nuint)sizeof(Bz2Native.Stream));
    private bool _open;
    private bool _anyStream;

    public Bz2DecompressStream(Stream input)
        : base(input)
    {
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }
        while (true)
        {
            var more = Refill();
            if (!_open)
            {
                if (!more)
                {
                    // Input ended between streams: the end, if there was at least one stream.
                    return _anyStream ? 0 : throw new InvalidDataException("bz2: no data.");
                }
                Bz2Native.Check(Bz2Native.DecompressInit(_strm, 0, 0), "decompressor start");
                _open = true;
                _anyStream = true;
            }
            fixed (byte* src = Input)
            fixed (byte* dst = buffer)
            {
                _strm->NextIn = src;
                _strm->AvailIn = (uint)Input.Length;
                _strm->NextOut = dst;
                _strm->AvailOut = (uint)buffer.Length;
                var code = Bz2Native.Check(Bz2Native.Decompress(_strm), "decompression");
                InputPosition = InputLength - (int)_strm->AvailIn;
                var produced = buffer.Length - (int)_strm->AvailOut;
                if (code == Bz2Native.StreamEnd)
                {
                    Bz2Native.DecompressEnd(_strm);
                    _open = false;
                }
                else if (produced == 0 && !more && InputEnded)
                {
                    throw new InvalidDataException("bz2: the stream is truncated.");
                }
                if (produced > 0)
                {
                    return produced;
                }
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (_strm is not null)
        {
            if (_open)
            {
                Bz2Native.DecompressEnd(_strm);
            }
            NativeMemory.Free(_strm);
            _strm = null;
        }
        base.Dispose(disposing);
    }
}
