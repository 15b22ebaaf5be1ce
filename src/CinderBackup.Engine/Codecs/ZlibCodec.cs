using System.IO.Compression;

namespace CinderBackup.Engine.Codecs;

/// <summary>
/// zlib format (RFC 1950), as Python's zlib.compress writes and reads; "gzip" is the same algorithm in Cinder.
/// Stretches of random data are stored rather than deflated (<see cref="ZlibCompressStream"/>).
/// </summary>
internal sealed class ZlibCodec : ICodec
{
    public ZlibCodec(string name) => Name = name;

    public string Name { get; }

    public Stream Compress(Stream output, long contentSize, int? level) => level == 0
        ? new ZLibStream(output, CompressionLevel.NoCompression, leaveOpen: true)
        : new ZlibCompressStream(output, Level(level));

    public Stream Decompress(Stream input) => new ZLibStream(input, CompressionMode.Decompress, leaveOpen: true);

    /// <summary>net8 exposes levels as an enum: 0 none, 1-3 fastest, 4-7 optimal (Cinder's 6), 8-9 smallest.</summary>
    public static CompressionLevel Level(int? level) => level switch
    {
        null => CompressionLevel.Optimal,
        0 => CompressionLevel.NoCompression,
        <= 3 => CompressionLevel.Fastest,
        <= 7 => CompressionLevel.Optimal,
        _ => CompressionLevel.SmallestSize,
    };
}
