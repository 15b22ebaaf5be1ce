using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Codecs;

/// <summary>
/// zstd: one frame per object carrying the content size (python-zstd, which Cinder uses, sizes its output from
/// it). The level defaults to 1, which compresses about as well as zlib-6 at several times the speed; Cinder's
/// level 3 is available through backup_compression_level. The system libzstd does the work where it loads;
/// ZstdSharp (the same C code ported to C#, somewhat slower) where it does not, e.g. on Windows. Both write
/// frames any zstd reads.
/// </summary>
internal sealed class ZstdCodec : ICodec
{
    public const int DefaultLevel = 1;

    /// <summary>Set to <c>managed</c> to write zstd objects with ZstdSharp even where libzstd loads, or to <c>native</c>.</summary>
    public const string ImplementationVariable = "CINDERBACKUP_ZSTD";

    public ZstdCodec(ZstdImplementation implementation) => Implementation = implementation;

    /// <summary>libzstd where it loads, ZstdSharp elsewhere.</summary>
    public static ZstdImplementation Preferred => ZstdNative.Available ? ZstdImplementation.Native : ZstdImplementation.Managed;

    public ZstdImplementation Implementation { get; }

    public string Name => "zstd";

    /// <summary>The codec new objects are written with: <see cref="ImplementationVariable"/> if set, else the preferred one.</summary>
    public static ZstdCodec ForWriting(Func<string, string?> environment)
    {
        var value = environment(ImplementationVariable);
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "":
                return new ZstdCodec(Preferred);
            case "managed":
                return new ZstdCodec(ZstdImplementation.Managed);
            case "native" when ZstdNative.Available:
                return new ZstdCodec(ZstdImplementation.Native);
            case "native":
                throw new CinderBackupException(ErrorIds.ConfigInvalid, ErrorKind.Configuration,
                    $"{ImplementationVariable} is 'native' but the system zstd library cannot be loaded (tried {string.Join(", ", ZstdNative.SystemNames())}).",
                    ImplementationVariable);
            default:
                throw new CinderBackupException(ErrorIds.ConfigInvalid, ErrorKind.Configuration,
                    $"{ImplementationVariable} must be 'native' or 'managed', not '{value}'.", ImplementationVariable);
        }
    }

    public Stream Compress(Stream output, long contentSize, int? level) => Implementation == ZstdImplementation.Native
        ? new ZstdCompressStream<NativeZstd>(output, contentSize, level ?? DefaultLevel)
        : new ZstdCompressStream<ManagedZstd>(output, contentSize, level ?? DefaultLevel);

    public Stream Decompress(Stream input) => Implementation == ZstdImplementation.Native
        ? new ZstdDecompressStream<NativeZstd>(input)
        : new ZstdDecompressStream<ManagedZstd>(input);
}
