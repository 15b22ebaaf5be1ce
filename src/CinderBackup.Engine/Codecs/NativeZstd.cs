using System.Runtime.InteropServices;

namespace CinderBackup.Engine.Codecs;

/// <summary>zstd through the system libzstd (<see cref="ZstdNative"/>).</summary>
internal readonly unsafe struct NativeZstd : IZstdApi
{
    public static IntPtr CreateCCtx() => ZstdNative.CreateCCtx();

    public static void FreeCCtx(IntPtr cctx) => ZstdNative.FreeCCtx(cctx);

    public static nuint SetParameter(IntPtr cctx, int parameter, int value) => ZstdNative.SetParameter(cctx, parameter, value);

    public static nuint SetPledgedSrcSize(IntPtr cctx, ulong size) => ZstdNative.SetPledgedSrcSize(cctx, size);

    public static nuint CompressStream2(IntPtr cctx, ZstdNative.Buffer* output, ZstdNative.Buffer* input, int endOp) =>
        ZstdNative.CompressStream2(cctx, output, input, endOp);

    public static IntPtr CreateDCtx() => ZstdNative.CreateDCtx();

    public static void FreeDCtx(IntPtr dctx) => ZstdNative.FreeDCtx(dctx);

    public static nuint DecompressStream(IntPtr dctx, ZstdNative.Buffer* output, ZstdNative.Buffer* input) =>
        ZstdNative.DecompressStream(dctx, output, input);

    public static bool IsError(nuint code) => ZstdNative.IsError(code) != 0;

    public static string ErrorName(nuint code) => Marshal.PtrToStringAnsi(ZstdNative.GetErrorName(code)) ?? $"error {code}";
}
