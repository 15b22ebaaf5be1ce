namespace CinderBackup.Engine.Codecs;

/// <summary>
/// One compression algorithm of Cinder's chunked drivers. Objects are compressed whole (one stream or frame per
/// object) but we stream them: memory does not grow with the object size.
/// </summary>
internal interface ICodec
{
    /// <summary>The name recorded in <c>_metadata</c> ("zlib", "gzip", "bz2", "bzip2", "zstd").</summary>
    string Name { get; }

    /// <summary>
    /// A stream that compresses what is written to it into <paramref name="output"/>. <paramref name="contentSize"/>
    /// is the exact uncompressed length, which zstd records in the frame header (Cinder's reader needs it).
    /// Disposing the returned stream finishes the stream but leaves <paramref name="output"/> open.
    /// </summary>
    Stream Compress(Stream output, long contentSize, int? level);

    /// <summary>A stream of the decompressed bytes of <paramref name="input"/> (left open on dispose).</summary>
    Stream Decompress(Stream input);
}
