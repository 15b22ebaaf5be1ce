namespace CinderBackup.Engine.Codecs;

/// <summary>
/// zstd: one frame per object carrying the content size (python-zstd, which Cinder uses, sizes its output from
/// it). The level defaults to 1, which compresses about as well as zlib-6 at several times the speed; Cinder's
/// level 3 is available through backup_compression_level.
/// </summary>
internal sealed class ZstdCodec : ICodec
{
    public const int DefaultLevel = 1;

    static ZstdCodec() => Native.NativeLibraries.RegisterFor(typeof(ZstdCodec).Assembly);

    public string Name => "zstd";

    public Stream Compress(Stream output, long contentSize, int? level) => new ZstdCompressStream(output, contentSize, level ?? DefaultLevel);

    public Stream Decompress(Stream input) => new ZstdDecompressStream(input);
}
