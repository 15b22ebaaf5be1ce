using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace CinderBackup.Engine.Hashing;

/// <summary>
/// MD5 (RFC 1321) on one thread: the compression function, appending, padding. Our own, rather than the
/// platform's, because its state can be handed to and taken back from <see cref="Md5Lanes"/>, which hashes
/// many objects at once in vector registers, and because the state after a run of zeros can be cached.
/// </summary>
internal sealed class Md5Digest
{
    public const int BlockSize = 64;
    public uint A = 0x67452301, B = 0xefcdab89, C = 0x98badcfe, D = 0x10325476;
    private readonly byte[] _tail = new byte[BlockSize];

    /// <summary>Bytes hashed so far.</summary>
    public long Length { get; internal set; }

    /// <summary>Bytes waiting in the partial last block; only whole blocks can go through the lanes.</summary>
    public int TailLength { get; private set; }

    /// <summary>Continues from the state after <paramref name="length"/> bytes (a multiple of 64) whose state was saved.</summary>
    public void Restore((uint A, uint B, uint C, uint D) state, long length)
    {
        (A, B, C, D) = state;
        Length = length;
        TailLength = 0;
    }

    public (uint A, uint B, uint C, uint D) State => (A, B, C, D);

    public void Append(ReadOnlySpan<byte> data)
    {
        Length += data.Length;
        if (TailLength > 0)
        {
            var n = Math.Min(BlockSize - TailLength, data.Length);
            data[..n].CopyTo(_tail.AsSpan(TailLength));
            TailLength += n;
            data = data[n..];
            if (TailLength < BlockSize)
            {
                return;
            }
            Compress(_tail);
            TailLength = 0;
        }
        while (data.Length >= BlockSize)
        {
            Compress(data[..BlockSize]);
            data = data[BlockSize..];
        }
        data.CopyTo(_tail);
        TailLength = data.Length;
    }

    /// <summary>The digest of everything appended (the object is then finished).</summary>
    public byte[] Finish()
    {
        var bits = (ulong)Length * 8;
        Span<byte> pad = stackalloc byte[2 * BlockSize];
        pad.Clear();
        _tail.AsSpan(0, TailLength).CopyTo(pad);
        pad[TailLength] = 0x80;
        var total = TailLength + 1 + 8 <= BlockSize ? BlockSize : 2 * BlockSize;
        BinaryPrimitives.WriteUInt64LittleEndian(pad[(total - 8)..], bits);
        Compress(pad[..BlockSize]);
        if (total > BlockSize)
        {
            Compress(pad[BlockSize..]);
        }
        var digest = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(digest, A);
        BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(4), B);
        BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(8), C);
        BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(12), D);
        return digest;
    }

    public string FinishHex() => Hex.Lower(Finish());

    /// <summary>The compression function on one block, the 64 steps unrolled.</summary>
    private void Compress(ReadOnlySpan<byte> block)
    {
        var w0 = BinaryPrimitives.ReadUInt32LittleEndian(block[0..]);
        var w1 = BinaryPrimitives.ReadUInt32LittleEndian(block[4..]);
        var w2 = BinaryPrimitives.ReadUInt32LittleEndian(block[8..]);
        var w3 = BinaryPrimitives.ReadUInt32LittleEndian(block[12..]);
        var w4 = BinaryPrimitives.ReadUInt32LittleEndian(block[16..]);
        var w5 = BinaryPrimitives.ReadUInt32LittleEndian(block[20..]);
        var w6 = BinaryPrimitives.ReadUInt32LittleEndian(block[24..]);
        var w7 = BinaryPrimitives.ReadUInt32LittleEndian(block[28..]);
        var w8 = BinaryPrimitives.ReadUInt32LittleEndian(block[32..]);
        var w9 = BinaryPrimitives.ReadUInt32LittleEndian(block[36..]);
        var w10 = BinaryPrimitives.ReadUInt32LittleEndian(block[40..]);
        var w11 = BinaryPrimitives.ReadUInt32LittleEndian(block[44..]);
        var w12 = BinaryPrimitives.ReadUInt32LittleEndian(block[48..]);
        var w13 = BinaryPrimitives.ReadUInt32LittleEndian(block[52..]);
        var w14 = BinaryPrimitives.ReadUInt32LittleEndian(block[56..]);
        var w15 = BinaryPrimitives.ReadUInt32LittleEndian(block[60..]);
        uint a = A, b = B, c = C, d = D;
        a = b + BitOperations.RotateLeft(a + F(b, c, d) + 0xd76aa478u + w0, 7);
        d = a + BitOperations.RotateLeft(d + F(a, b, c) + 0xe8c7b756u + w1, 12);
        c = d + BitOperations.RotateLeft(c + F(d, a, b) + 0x242070dbu + w2, 17);
        b = c + BitOperations.RotateLeft(b + F(c, d, a) + 0xc1bdceeeu + w3, 22);
        a = b + BitOperations.RotateLeft(a + F(b, c, d) + 0xf57c0fafu + w4, 7);
        d = a + BitOperations.RotateLeft(d + F(a, b, c) + 0x4787c62au + w5, 12);
        c = d + BitOperations.RotateLeft(c + F(d, a, b) + 0xa8304613u + w6, 17);
        b = c + BitOperations.RotateLeft(b + F(c, d, a) + 0xfd469501u + w7, 22);
        a = b + BitOperations.RotateLeft(a + F(b, c, d) + 0x698098d8u + w8, 7);
        d = a + BitOperations.RotateLeft(d + F(a, b, c) + 0x8b44f7afu + w9, 12);
        c = d + BitOperations.RotateLeft(c + F(d, a, b) + 0xffff5bb1u + w10, 17);
        b = c + BitOperations.RotateLeft(b + F(c, d, a) + 0x895cd7beu + w11, 22);
        a = b + BitOperations.RotateLeft(a + F(b, c, d) + 0x6b901122u + w12, 7);
        d = a + BitOperations.RotateLeft(d + F(a, b, c) + 0xfd987193u + w13, 12);
        c = d + BitOperations.RotateLeft(c + F(d, a, b) + 0xa679438eu + w14, 17);
        b = c + BitOperations.RotateLeft(b + F(c, d, a) + 0x49b40821u + w15, 22);
        a = b + BitOperations.RotateLeft(a + G(b, c, d) + 0xf61e2562u + w1, 5);
        d = a + BitOperations.RotateLeft(d + G(a, b, c) + 0xc040b340u + w6, 9);
        c = d + BitOperations.RotateLeft(c + G(d, a, b) + 0x265e5a51u + w11, 14);
        b = c + BitOperations.RotateLeft(b + G(c, d, a) + 0xe9b6c7aau + w0, 20);
        a = b + BitOperations.RotateLeft(a + G(b, c, d) + 0xd62f105du + w5, 5);
        d = a + BitOperations.RotateLeft(d + G(a, b, c) + 0x02441453u + w10, 9);
        c = d + BitOperations.RotateLeft(c + G(d, a, b) + 0xd8a1e681u + w15, 14);
        b = c + BitOperations.RotateLeft(b + G(c, d, a) + 0xe7d3fbc8u + w4, 20);
        a = b + BitOperations.RotateLeft(a + G(b, c, d) + 0x21e1cde6u + w9, 5);
        d = a + BitOperations.RotateLeft(d + G(a, b, c) + 0xc33707d6u + w14, 9);
        c = d + BitOperations.RotateLeft(c + G(d, a, b) + 0xf4d50d87u + w3, 14);
        b = c + BitOperations.RotateLeft(b + G(c, d, a) + 0x455a14edu + w8, 20);
        a = b + BitOperations.RotateLeft(a + G(b, c, d) + 0xa9e3e905u + w13, 5);
        d = a + BitOperations.RotateLeft(d + G(a, b, c) + 0xfcefa3f8u + w2, 9);
        c = d + BitOperations.RotateLeft(c + G(d, a, b) + 0x676f02d9u + w7, 14);
        b = c + BitOperations.RotateLeft(b + G(c, d, a) + 0x8d2a4c8au + w12, 20);
        a = b + BitOperations.RotateLeft(a + H(b, c, d) + 0xfffa3942u + w5, 4);
        d = a + BitOperations.RotateLeft(d + H(a, b, c) + 0x8771f681u + w8, 11);
        c = d + BitOperations.RotateLeft(c + H(d, a, b) + 0x6d9d6122u + w11, 16);
        b = c + BitOperations.RotateLeft(b + H(c, d, a) + 0xfde5380cu + w14, 23);
        a = b + BitOperations.RotateLeft(a + H(b, c, d) + 0xa4beea44u + w1, 4);
        d = a + BitOperations.RotateLeft(d + H(a, b, c) + 0x4bdecfa9u + w4, 11);
        c = d + BitOperations.RotateLeft(c + H(d, a, b) + 0xf6bb4b60u + w7, 16);
        b = c + BitOperations.RotateLeft(b + H(c, d, a) + 0xbebfbc70u + w10, 23);
        a = b + BitOperations.RotateLeft(a + H(b, c, d) + 0x289b7ec6u + w13, 4);
        d = a + BitOperations.RotateLeft(d + H(a, b, c) + 0xeaa127fau + w0, 11);
        c = d + BitOperations.RotateLeft(c + H(d, a, b) + 0xd4ef3085u + w3, 16);
        b = c + BitOperations.RotateLeft(b + H(c, d, a) + 0x04881d05u + w6, 23);
        a = b + BitOperations.RotateLeft(a + H(b, c, d) + 0xd9d4d039u + w9, 4);
        d = a + BitOperations.RotateLeft(d + H(a, b, c) + 0xe6db99e5u + w12, 11);
        c = d + BitOperations.RotateLeft(c + H(d, a, b) + 0x1fa27cf8u + w15, 16);
        b = c + BitOperations.RotateLeft(b + H(c, d, a) + 0xc4ac5665u + w2, 23);
        a = b + BitOperations.RotateLeft(a + I(b, c, d) + 0xf4292244u + w0, 6);
        d = a + BitOperations.RotateLeft(d + I(a, b, c) + 0x432aff97u + w7, 10);
        c = d + BitOperations.RotateLeft(c + I(d, a, b) + 0xab9423a7u + w14, 15);
        b = c + BitOperations.RotateLeft(b + I(c, d, a) + 0xfc93a039u + w5, 21);
        a = b + BitOperations.RotateLeft(a + I(b, c, d) + 0x655b59c3u + w12, 6);
        d = a + BitOperations.RotateLeft(d + I(a, b, c) + 0x8f0ccc92u + w3, 10);
        c = d + BitOperations.RotateLeft(c + I(d, a, b) + 0xffeff47du + w10, 15);
        b = c + BitOperations.RotateLeft(b + I(c, d, a) + 0x85845dd1u + w1, 21);
        a = b + BitOperations.RotateLeft(a + I(b, c, d) + 0x6fa87e4fu + w8, 6);
        d = a + BitOperations.RotateLeft(d + I(a, b, c) + 0xfe2ce6e0u + w15, 10);
        c = d + BitOperations.RotateLeft(c + I(d, a, b) + 0xa3014314u + w6, 15);
        b = c + BitOperations.RotateLeft(b + I(c, d, a) + 0x4e0811a1u + w13, 21);
        a = b + BitOperations.RotateLeft(a + I(b, c, d) + 0xf7537e82u + w4, 6);
        d = a + BitOperations.RotateLeft(d + I(a, b, c) + 0xbd3af235u + w11, 10);
        c = d + BitOperations.RotateLeft(c + I(d, a, b) + 0x2ad7d2bbu + w2, 15);
        b = c + BitOperations.RotateLeft(b + I(c, d, a) + 0xeb86d391u + w9, 21);
        A += a;
        B += b;
        C += c;
        D += d;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint F(uint x, uint y, uint z) => z ^ (x & (y ^ z));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint G(uint x, uint y, uint z) => y ^ (z & (x ^ y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint H(uint x, uint y, uint z) => x ^ y ^ z;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint I(uint x, uint y, uint z) => y ^ (x | ~z);
}
