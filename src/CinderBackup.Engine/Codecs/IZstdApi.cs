namespace CinderBackup.Engine.Codecs;

/// <summary>
/// The zstd streaming calls our codec makes, implemented twice: by the system libzstd (<see cref="NativeZstd"/>, the
/// fast path) and by ZstdSharp's port of the same C code (<see cref="ManagedZstd"/>, where libzstd does not load).
/// Static members and generic streams keep the choice free of virtual calls; buffers are libzstd's
/// ZSTD_inBuffer/ZSTD_outBuffer layout in both.
/// </summary>
internal unsafe interface IZstdApi
{
    static abstract IntPtr CreateCCtx();

    static abstract void FreeCCtx(IntPtr cctx);

    static abstract nuint SetParameter(IntPtr cctx, int parameter, int value);

    static abstract nuint SetPledgedSrcSize(IntPtr cctx, ulong size);

    static abstract nuint CompressStream2(IntPtr cctx, ZstdNative.Buffer* output, ZstdNative.Buffer* input, int endOp);

    static abstract IntPtr CreateDCtx();

    static abstract void FreeDCtx(IntPtr dctx);

    static abstract nuint DecompressStream(IntPtr dctx, ZstdNative.Buffer* output, ZstdNative.Buffer* input);

    static abstract bool IsError(nuint code);

    static abstract string ErrorName(nuint code);
}
