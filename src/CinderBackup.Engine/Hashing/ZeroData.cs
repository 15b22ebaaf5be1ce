using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using CinderBackup.Engine.Codecs;

namespace CinderBackup.Engine.Hashing;

/// <summary>
/// Facts about all-zero data, computed once per process: the SHA-256 of a zero block (so zero blocks are never
/// hashed), the MD5 of any run of zeros (from MD5 states cached every MiB, so holes of many different lengths
/// cost almost nothing), and the stored form of an all-zero object, built rather than compressed where the
/// format allows (a hole of a sparse volume then costs microseconds, whatever its length).
/// </summary>
internal static class ZeroData
{
    public const int BufferSize = 1 << 20;
    private static readonly byte[] Zeros = new byte[BufferSize];
    private static readonly ConcurrentDictionary<long, byte[]> Sha = new();
    private static readonly ConcurrentDictionary<long, string> Md5 = new();
    private static readonly ConcurrentDictionary<(string Codec, int? Level, long Length), Lazy<byte[]>> Compressed = new();
    private static readonly Lazy<List<(uint A, uint B, uint C, uint D)>> MibStates = new(LoadStates);

    public static ReadOnlySpan<byte> Buffer => Zeros;

    public static bool IsZero(ReadOnlySpan<byte> data) => data.IndexOfAnyExcept((byte)0) < 0;

    /// <summary>SHA-256 of <paramref name="length"/> zero bytes (a block, or the partial last block).</summary>
    public static byte[] Sha256(long length) => Sha.GetOrAdd(length, static l =>
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var left = l; left > 0; left -= BufferSize)
        {
            sha.AppendData(Zeros, 0, (int)Math.Min(BufferSize, left));
        }
        return sha.GetHashAndReset();
    });

    public static string Md5Hex(long length) => Md5.GetOrAdd(length, static l => Md5After(l).FinishHex());

    /// <summary>An MD5 that has taken <paramref name="length"/> zero bytes, to be continued or finished.</summary>
    public static Md5Digest Md5After(long length)
    {
        var mib = length / BufferSize;
        (uint, uint, uint, uint) state;
        var states = MibStates.Value;
        lock (states)
        {
            while (states.Count <= mib)
            {
                var d = new Md5Digest();
                d.Restore(states[^1], (long)(states.Count - 1) * BufferSize);
                d.Append(Zeros);
                states.Add(d.State);
            }
            state = states[(int)mib];
        }
        var digest = new Md5Digest();
        digest.Restore(state, mib * BufferSize);
        digest.Append(Zeros.AsSpan(0, (int)(length - mib * BufferSize)));
        return digest;
    }

    /// <summary>
    /// MD5 is a chain (about 0.5 GB/s on one core here), so the state after k MiB of zeros is shipped for k up to
    /// 2048 (ZeroMd5States.bin, 16 bytes each: A, B, C, D little-endian; made with <see cref="Md5Digest"/> and
    /// checked by the tests); beyond, states are computed once per process.
    /// </summary>
    private static List<(uint A, uint B, uint C, uint D)> LoadStates()
    {
        using var stream = typeof(ZeroData).Assembly.GetManifestResourceStream("ZeroMd5States.bin")
            ?? throw new InvalidOperationException("The resource ZeroMd5States.bin is missing from the engine.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var states = new List<(uint, uint, uint, uint)>(bytes.Length / 16);
        for (var i = 0; i < bytes.Length; i += 16)
        {
            states.Add((BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i + 4)),
                BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i + 8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i + 12))));
        }
        return states;
    }

    /// <summary>The stored bytes of an all-zero object of <paramref name="length"/> bytes compressed with <paramref name="codec"/>.</summary>
    public static byte[] Compress(ICodec codec, int? level, long length) =>
        Compressed.GetOrAdd((codec.Name, level, length), static (key, c) => new Lazy<byte[]>(() => key.Codec switch
        {
            "zstd" => ZstdFrame(key.Length),
            "zlib" or "gzip" => ZlibStream(key.Level, key.Length),
            "bz2" or "bzip2" when Bz2Native.Available => Bz2Streams(c, key.Level, key.Length),
            _ => Squeeze(c, key.Level, key.Length),
        }), codec).Value;

    /// <summary>
    /// One zstd frame of RLE blocks (4 bytes per 128 KiB) with the content size in its header, as Cinder's reader
    /// needs; a 128 KiB window, so a streaming reader needs no more memory for a large object.
    /// </summary>
    private static byte[] ZstdFrame(long length)
    {
        const int block = 128 * 1024;
        var blocks = (int)((length + block - 1) / block);
        var frame = new byte[4 + 1 + 1 + 8 + blocks * 4];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, 0xFD2FB528);
        frame[4] = 0xC0; // 8-byte content size, no checksum, no dictionary, window descriptor present
        frame[5] = 7 << 3; // window 2^(10+7) = 128 KiB
        BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(6), (ulong)length);
        var at = 14;
        for (var i = 0; i < blocks; i++)
        {
            var size = (uint)Math.Min(block, length - (long)i * block);
            var header = (size << 3) | (1u << 1) | (i == blocks - 1 ? 1u : 0u); // RLE block, last flag
            frame[at] = (byte)header;
            frame[at + 1] = (byte)(header >> 8);
            frame[at + 2] = (byte)(header >> 16);
            frame[at + 3] = 0; // the repeated byte
            at += 4;
        }
        return frame;
    }

    /// <summary>
    /// A zlib stream: the deflate of 1 MiB of zeros (flushed to a byte boundary, not final) repeated, the rest
    /// compressed, and the Adler-32 of the zeros, which is arithmetic.
    /// </summary>
    private static byte[] ZlibStream(int? level, long length)
    {
        var mib = Deflate(level, BufferSize, final: false);
        using var output = new MemoryStream();
        output.Write(new byte[] { 0x78, 0x9C });
        for (var left = length; left >= BufferSize; left -= BufferSize)
        {
            output.Write(mib);
        }
        var rest = (int)(length % BufferSize);
        output.Write(rest > 0 ? Deflate(level, rest, final: true) : new byte[] { 0x01, 0x00, 0x00, 0xFF, 0xFF });
        var adler = ((uint)(length % 65521) << 16) | 1u;
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, adler);
        output.Write(tail);
        return output.ToArray();
    }

    private static byte[] Deflate(int? level, int length, bool final)
    {
        var output = new MemoryStream();
        var deflate = new DeflateStream(output, ZlibCodec.Level(level), leaveOpen: true);
        deflate.Write(Zeros, 0, length);
        if (final)
        {
            deflate.Dispose();
            return output.ToArray();
        }
        deflate.Flush(); // a sync flush: byte-aligned, and no final block yet
        var bytes = output.ToArray();
        deflate.Dispose();
        return bytes;
    }

    /// <summary>bzip2 streams of 1 MiB of zeros one after the other (Python's bz2.decompress reads them all).</summary>
    private static byte[] Bz2Streams(ICodec codec, int? level, long length)
    {
        var mib = Squeeze(codec, level, BufferSize);
        using var output = new MemoryStream();
        for (var left = length; left >= BufferSize; left -= BufferSize)
        {
            output.Write(mib);
        }
        if (length % BufferSize > 0)
        {
            output.Write(Squeeze(codec, level, length % BufferSize));
        }
        return output.ToArray();
    }

    private static byte[] Squeeze(ICodec codec, int? level, long length)
    {
        using var output = new MemoryStream();
        using (var compressor = codec.Compress(output, length, level))
        {
            for (var left = length; left > 0; left -= BufferSize)
            {
                compressor.Write(Zeros, 0, (int)Math.Min(BufferSize, left));
            }
        }
        return output.ToArray();
    }
}
