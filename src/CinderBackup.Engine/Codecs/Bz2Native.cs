using System.Runtime.InteropServices;
using CinderBackup.Engine.Native;

namespace CinderBackup.Engine.Codecs;

/// <summary>
/// The streaming entry points of the system libbz2 (libbz2.so.1.0 on Debian, as Python's bz2 module uses). It is
/// about twice as fast as the managed SharpZipLib, which stays as the fallback where libbz2 is missing (Windows).
/// </summary>
internal static unsafe partial class Bz2Native
{
    public const string Library = "bz2";

    public const int Run = 0;        // BZ_RUN
    public const int Finish = 2;     // BZ_FINISH
    public const int Ok = 0;         // BZ_OK
    public const int StreamEnd = 4;  // BZ_STREAM_END

    /// <summary>bz_stream; the sequential layout pads like the C struct.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Stream
    {
        public byte* NextIn;
        public uint AvailIn;
        public uint TotalInLo32;
        public uint TotalInHi32;
        public byte* NextOut;
        public uint AvailOut;
        public uint TotalOutLo32;
        public uint TotalOutHi32;
        public IntPtr State;
        public IntPtr Alloc;
        public IntPtr Free;
        public IntPtr Opaque;
    }

    [LibraryImport(Library, EntryPoint = "BZ2_bzCompressInit")]
    public static partial int CompressInit(Stream* strm, int blockSize100k, int verbosity, int workFactor);

    [LibraryImport(Library, EntryPoint = "BZ2_bzCompress")]
    public static partial int Compress(Stream* strm, int action);

    [LibraryImport(Library, EntryPoint = "BZ2_bzCompressEnd")]
    public static partial int CompressEnd(Stream* strm);

    [LibraryImport(Library, EntryPoint = "BZ2_bzDecompressInit")]
    public static partial int DecompressInit(Stream* strm, int verbosity, int small);

    [LibraryImport(Library, EntryPoint = "BZ2_bzDecompress")]
    public static partial int Decompress(Stream* strm);

    [LibraryImport(Library, EntryPoint = "BZ2_bzDecompressEnd")]
    public static partial int DecompressEnd(Stream* strm);

    private static readonly Lazy<bool> Present = new(() =>
    {
        NativeLibraries.Register(typeof(Bz2Native).Assembly, Library, SystemNames);
        try
        {
            var s = new Stream();
            if (DecompressInit(&s, 0, 0) == Ok)
            {
                DecompressEnd(&s);
            }
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    });

    /// <summary>Whether libbz2 could be loaded.</summary>
    public static bool Available => Present.Value;

    public static int Check(int code, string what)
    {
        if (code < 0)
        {
            throw new InvalidDataException($"bz2: {what} failed ({Describe(code)}).");
        }
        return code;
    }

    private static string Describe(int code) => code switch
    {
        -1 => "sequence error",
        -2 => "bad parameter",
        -3 => "out of memory",
        -4 => "data error: the data is corrupt",
        -5 => "not bzip2 data",
        -7 => "unexpected end of data",
        _ => $"error {code}",
    };

    /// <summary>Names to try for the system library, most specific first.</summary>
    public static IEnumerable<string> SystemNames()
    {
        if (OperatingSystem.IsWindows())
        {
            return new[] { "libbz2.dll", "bz2.dll" };
        }
        if (OperatingSystem.IsMacOS())
        {
            return new[] { "libbz2.1.0.dylib", "libbz2.dylib" };
        }
        return new[] { "libbz2.so.1.0", "libbz2.so.1", "libbz2.so" };
    }
}
