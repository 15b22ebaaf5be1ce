using ICSharpCode.SharpZipLib.BZip2;

namespace CinderBackup.Engine.Codecs;

/// <summary>
/// bzip2 (Python's bz2 at level 9), kept for compatibility; it is 20-40x slower than zstd. The system libbz2 does
/// the work where it can be loaded (about twice as fast); SharpZipLib otherwise.
/// </summary>
internal sealed class Bz2Codec : ICodec
{
    public Bz2Codec(string name) => Name = name;

    public string Name { get; }

    public Stream Compress(Stream output, long contentSize, int? level) => Bz2Native.Available
        ? new Bz2CompressStream(output, Math.Clamp(level ?? 9, 1, 9))
        : new BZip2OutputStream(output, Math.Clamp(level ?? 9, 1, 9)) { IsStreamOwner = false };

    public Stream Decompress(Stream input) => Bz2Native.Available
        ? new Bz2DecompressStream(input)
        : new BZip2InputStream(input) { IsStreamOwner = false };
}
