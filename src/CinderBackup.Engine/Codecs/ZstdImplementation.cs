namespace CinderBackup.Engine.Codecs;

/// <summary>Which zstd does the work: the system libzstd, or ZstdSharp's managed port of it.</summary>
internal enum ZstdImplementation
{
    Native,
    Managed,
}
