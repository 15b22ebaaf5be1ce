using System.Security.Cryptography;

namespace CinderBackup.Engine.Hashing;

/// <summary>SHA-256 of each hash block of a piece, as the _sha256file lists them; zero blocks get the constant.</summary>
internal static class BlockHashes
{
    /// <summary>Hashes <paramref name="data"/> (at volume offset <paramref name="offset"/>) into <paramref name="hashes"/>; true when it is all zeros.</summary>
    public static bool Write(ReadOnlySpan<byte> data, long offset, long block, HashFile hashes, byte[] scratch)
    {
        var n = (int)((data.Length + block - 1) / block);
        var zero = Compute(data, block, scratch.AsSpan(0, n * HashFile.HashSize), knownZero: false);
        hashes.Write(offset / block, scratch.AsSpan(0, n * HashFile.HashSize));
        return zero;
    }

    /// <summary>Fills <paramref name="digests"/>; true when every block is zero.</summary>
    public static bool Compute(ReadOnlySpan<byte> data, long block, Span<byte> digests, bool knownZero)
    {
        var full = ZeroData.Sha256(block);
        var allZero = true;
        for (int off = 0, k = 0; off < data.Length; off += (int)block, k++)
        {
            var b = data.Slice(off, (int)Math.Min(block, data.Length - off));
            var target = digests.Slice(k * HashFile.HashSize, HashFile.HashSize);
            if (knownZero || ZeroData.IsZero(b))
            {
                (b.Length == block ? full : ZeroData.Sha256(b.Length)).CopyTo(target);
            }
            else
            {
                SHA256.HashData(b, target);
                allZero = false;
            }
        }
        return allZero;
    }
}
