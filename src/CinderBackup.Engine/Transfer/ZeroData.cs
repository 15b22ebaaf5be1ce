using System.Collections.Concurrent;
using System.Security.Cryptography;
using CinderBackup.Engine.Codecs;

namespace CinderBackup.Engine.Transfer;

/// <summary>
/// Facts about all-zero data computed once per process: the SHA-256 of a zero block (a constant, so zero
/// blocks are never hashed), and the MD5 and compressed form of an all-zero object of a given length (so
/// holes are never compressed or hashed more than once).
/// </summary>
internal static class ZeroData
{
    public const int BufferSize = 1 << 20;
    private static readonly byte[] Zeros = new byte[BufferSize];
    private static readonly ConcurrentDictionary<long, byte[]> Sha = new();
    private static readonly ConcurrentDictionary<long, Lazy<string>> Md5 = new();
    private static readonly ConcurrentDictionary<(string Codec, int? Level, long Length), Lazy<byte[]>> Compressed = new();

    public static ReadOnlySpan<byte> Buffer => Zeros;

    /// <summary>SHA-256 of <paramref name="length"/> zero bytes (a block, or the partial last block).</summary>
    public static byte[] Sha256(long length) => Sha.GetOrAdd(length, static l =>
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Feed(sha, l);
        return sha.GetHashAndReset();
    });

    public static string Md5Hex(long length) => Md5.GetOrAdd(length, static l => new Lazy<string>(() =>
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        Feed(md5, l);
        return Hex.Lower(md5.GetHashAndReset());
    })).Value;

    /// <summary>The stored bytes of an all-zero object compressed with <paramref name="codec"/>.</summary>
    public static byte[] Compress(ICodec codec, int? level, long length) =>
        Compressed.GetOrAdd((codec.Name, level, length), static (key, c) => new Lazy<byte[]>(() =>
        {
            using var output = new MemoryStream();
            using (var compressor = c.Compress(output, key.Length, key.Level))
            {
                for (var left = key.Length; left > 0; left -= BufferSize)
                {
                    compressor.Write(Zeros, 0, (int)Math.Min(BufferSize, left));
                }
            }
            return output.ToArray();
        }), codec).Value;

    public static bool IsZero(ReadOnlySpan<byte> data) => data.IndexOfAnyExcept((byte)0) < 0;

    private static void Feed(IncrementalHash hash, long length)
    {
        for (var left = length; left > 0; left -= BufferSize)
        {
            hash.AppendData(Zeros, 0, (int)Math.Min(BufferSize, left));
        }
    }
}
