using System.Runtime.InteropServices;

namespace CinderBackup.Engine.Codecs;

/// <summary>Write-only stream compressing into one bzip2 stream with the system libbz2.</summary>
internal sealed unsafe class Bz2CompressStream : CompressingStream
{
    private Bz2Native.Stream* _strm = (Bz2Native.Stream*)NativeMemory.AllocZeroed((nuint)sizeof(Bz2Native.Stream));

    public Bz2CompressStream(Stream output, int level)
        : base(output)
    {
        var code = Bz2Native.CompressInit(_strm, level, 0, 0);
        if (code != Bz2Native.Ok)
        {
            NativeMemory.Free(_strm);
            _strm = null;
            Bz2Native.Check(code < 0 ? code : -1, "compressor start");
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* src = buffer)
        {
            _strm->NextIn = src;
            _strm->AvailIn = (uint)buffer.Length;
            while (_strm->AvailIn > 0)
            {
                Pump(Bz2Native.Run);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (_strm is not null)
        {
            try
            {
                if (disposing)
                {
                    _strm->AvailIn = 0;
                    while (Pump(Bz2Native.Finish) != Bz2Native.StreamEnd)
                    {
                    }
                }
            }
            finally
            {
                Bz2Native.CompressEnd(_strm);
                NativeMemory.Free(_strm);
                _strm = null;
                base.Dispose(disposing);
            }
        }
    }

    private int Pump(int action)
    {
        fixed (byte* dst = OutBuffer)
        {
            _strm->NextOut = dst;
            _strm->AvailOut = OutSize;
            var code = Bz2Native.Check(Bz2Native.Compress(_strm, action), "compression");
            Emit(OutSize - (int)_strm->AvailOut);
            return code;
        }
    }
}
