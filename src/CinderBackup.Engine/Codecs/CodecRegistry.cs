using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Codecs;

/// <summary>
/// Maps Cinder's algorithm names to codecs: none/off/no (null: stored raw), zlib/gzip, bz2/bzip2, zstd,
/// case-insensitively. The recorded name is the configured name lowercased, as Cinder records it.
/// </summary>
internal static class CodecRegistry
{
    public static readonly IReadOnlyList<string> Names = new[] { "none", "off", "no", "zlib", "gzip", "bz2", "bzip2", "zstd" };

    /// <summary>
    /// The codec for <paramref name="algorithm"/>; null means no compression. Writers pass the engine's
    /// <paramref name="environment"/>, which may choose the zstd implementation (<see cref="ZstdCodec.ForWriting"/>);
    /// readers take the fastest one that loads.
    /// </summary>
    public static ICodec? Get(string algorithm, Func<string, string?>? environment = null)
    {
        var name = algorithm.ToLowerInvariant();
        return name switch
        {
            "none" or "off" or "no" => null,
            "zlib" or "gzip" => new ZlibCodec(name),
            "bz2" or "bzip2" => new Bz2Codec(name),
            "zstd" => environment is null ? new ZstdCodec(ZstdCodec.Preferred) : ZstdCodec.ForWriting(environment),
            _ => throw new CinderBackupException(ErrorIds.UnsupportedCompression, ErrorKind.InvalidArgument,
                $"unsupported compression algorithm: {algorithm}", algorithm),
        };
    }

    public static bool IsKnown(string algorithm) => Names.Contains(algorithm.ToLowerInvariant());
}
