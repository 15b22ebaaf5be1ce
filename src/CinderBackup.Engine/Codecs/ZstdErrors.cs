namespace CinderBackup.Engine.Codecs;

/// <summary>Turns a zstd error code into the exception the readers of corrupt objects expect.</summary>
internal static class ZstdErrors
{
    public static nuint Check<TApi>(nuint code)
        where TApi : IZstdApi =>
        TApi.IsError(code) ? throw new InvalidDataException("zstd: " + TApi.ErrorName(code)) : code;
}
