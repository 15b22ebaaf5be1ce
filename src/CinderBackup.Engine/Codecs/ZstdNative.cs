using System.Runtime.InteropServices;
using CinderBackup.Engine.Native;

namespace CinderBackup.Engine.Codecs;

/// <summary>
/// The few libzstd entry points we use, bound to the system library (libzstd.so.1 on Linux, libzstd.dylib,
/// libzstd.dll). libzstd ships with every Linux distribution and is the fast path; where it does not load,
/// <see cref="ManagedZstd"/> (ZstdSharp) does the same work.
/// </summary>
internal static unsafe partial class ZstdNative
{
    public const string Library = "zstd";

    public const int CompressionLevelParameter = 100; // ZSTD_c_compressionLevel
    public const int ContentSizeFlagParameter = 200;  // ZSTD_c_contentSizeFlag
    public const int EndContinue = 0;                 // ZSTD_e_continue
    public const int EndFlush = 1;                    // ZSTD_e_flush
    public const int EndFrame = 2;                    // ZSTD_e_end

    [StructLayout(LayoutKind.Sequential)]
    public struct Buffer
    {
        public byte* Data;
        public nuint Size;
        public nuint Pos;
    }

    [LibraryImport(Library, EntryPoint = "ZSTD_createCCtx")]
    public static partial IntPtr CreateCCtx();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeCCtx")]
    public static partial nuint FreeCCtx(IntPtr cctx);

    [LibraryImport(Library, EntryPoint = "ZSTD_CCtx_setParameter")]
    public static partial nuint SetParameter(IntPtr cctx, int parameter, int value);

    [LibraryImport(Library, EntryPoint = "ZSTD_CCtx_setPledgedSrcSize")]
    public static partial nuint SetPledgedSrcSize(IntPtr cctx, ulong size);

    [LibraryImport(Library, EntryPoint = "ZSTD_compressStream2")]
    public static partial nuint CompressStream2(IntPtr cctx, Buffer* output, Buffer* input, int endOp);

    [LibraryImport(Library, EntryPoint = "ZSTD_createDCtx")]
    public static partial IntPtr CreateDCtx();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeDCtx")]
    public static partial nuint FreeDCtx(IntPtr dctx);

    [LibraryImport(Library, EntryPoint = "ZSTD_decompressStream")]
    public static partial nuint DecompressStream(IntPtr dctx, Buffer* output, Buffer* input);

    [LibraryImport(Library, EntryPoint = "ZSTD_isError")]
    public static partial uint IsError(nuint code);

    [LibraryImport(Library, EntryPoint = "ZSTD_getErrorName")]
    public static partial IntPtr GetErrorName(nuint code);

    [LibraryImport(Library, EntryPoint = "ZSTD_versionString")]
    public static partial IntPtr VersionString();

    private static readonly Lazy<bool> Present = new(() =>
    {
        NativeLibraries.Register(typeof(ZstdNative).Assembly, Library, SystemNames);
        try
        {
            return VersionString() != IntPtr.Zero;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    });

    /// <summary>Whether the system libzstd could be loaded.</summary>
    public static bool Available => Present.Value;

    /// <summary>Names to try for the system library, most specific first.</summary>
    public static IEnumerable<string> SystemNames()
    {
        if (OperatingSystem.IsWindows())
        {
            return new[] { "libzstd.dll", "zstd.dll" };
        }
        if (OperatingSystem.IsMacOS())
        {
            return new[] { "libzstd.1.dylib", "libzstd.dylib", "/opt/homebrew/lib/libzstd.dylib", "/usr/local/lib/libzstd.dylib" };
        }
        return new[] { "libzstd.so.1", "libzstd.so" };
    }
}
