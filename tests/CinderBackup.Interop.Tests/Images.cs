using System.Security.Cryptography;
using System.Text;

namespace CinderBackup.Interop.Tests;

/// <summary>Deterministic volume images and byte comparisons.</summary>
internal static class Images
{
    public const long MiB = 1 << 20;
    public const long Block = 32768;
    public const long GiB = 1L << 30;

    /// <summary>Compressible text: numbered lines, different per seed.</summary>
    public static byte[] Text(long length, int seed)
    {
        var sb = new StringBuilder((int)length + 64);
        for (var i = 0; sb.Length < length; i++)
        {
            sb.Append("line ").Append(i).Append(" of volume text ").Append(seed).Append(", quite compressible\n");
        }
        return Encoding.ASCII.GetBytes(sb.ToString(0, (int)length));
    }

    public static byte[] Random(long length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static void Write(string path, long offset, byte[] data)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write);
        fs.Position = offset;
        fs.Write(data);
    }

    public static void CreateSparse(string path, long length)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write);
        fs.SetLength(length);
    }

    public static string Sha256(string path, long length)
    {
        using var fs = File.OpenRead(path);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[MiB];
        for (long done = 0; done < length;)
        {
            var n = fs.Read(buffer, 0, (int)Math.Min(buffer.Length, length - done));
            if (n == 0)
            {
                break; // shorter than asked: the digest then differs
            }
            sha.AppendData(buffer, 0, n);
            done += n;
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    /// <summary>
    /// The first <paramref name="length"/> bytes of <paramref name="actual"/> must equal all of
    /// <paramref name="expected"/> (SHA-256 of both); on a difference the message names its first offset.
    /// </summary>
    public static void AssertSamePrefix(string expected, string actual, string what)
    {
        var length = new FileInfo(expected).Length;
        Assert.True(new FileInfo(actual).Length >= length, $"{what}: '{actual}' is shorter than the {length} bytes expected.");
        var want = Sha256(expected, length);
        var got = Sha256(actual, length);
        if (want != got)
        {
            Assert.Fail($"{what}: the first {length} bytes differ from the source image (SHA-256 {got} instead of {want}); first difference at offset {FirstDifference(expected, actual, length)}.");
        }
    }

    private static long FirstDifference(string a, string b, long length)
    {
        using var fa = File.OpenRead(a);
        using var fb = File.OpenRead(b);
        var ba = new byte[MiB];
        var bb = new byte[MiB];
        for (long pos = 0; pos < length; pos += MiB)
        {
            var n = (int)Math.Min(MiB, length - pos);
            fa.ReadExactly(ba, 0, n);
            fb.ReadExactly(bb, 0, n);
            var i = ba.AsSpan(0, n).CommonPrefixLength(bb.AsSpan(0, n));
            if (i < n)
            {
                return pos + i;
            }
        }
        return -1;
    }
}

/// <summary>
/// The volume of the chain tests, in three states (full, inc1, inc2). 16 MiB + 12345 bytes (the last SHA block
/// is partial) of text, random data (stored raw: it does not compress), explicitly written zeros and holes;
/// each later state changes single bytes, whole blocks, data in a hole, zeroes a whole MiB of text (which a
/// sparse restore must not skip), and touches the partial last block.
/// </summary>
internal static class ChainImage
{
    public const long Length = (16 * Images.MiB) + 12345;
    private const long M = Images.MiB;

    public static void CreateAt(string path, int state)
    {
        Images.CreateSparse(path, Length);
        Images.Write(path, 0, Images.Text(3 * M, 1));
        Images.Write(path, 3 * M, Images.Random(M, 2));
        Images.Write(path, 4 * M, new byte[2 * M]); // allocated zeros
        // [6 MiB, 10 MiB) stays a hole
        Images.Write(path, 10 * M, Images.Text(7 * M / 2, 3));
        // [13.5 MiB, 15 MiB) stays a hole
        Images.Write(path, 15 * M, Images.Text(Length - 15 * M, 4));
        for (var s = 1; s <= state; s++)
        {
            Change(path, s);
        }
    }

    /// <summary>What changes between the previous state and <paramref name="state"/>, in place.</summary>
    public static void Change(string path, int state)
    {
        switch (state)
        {
            case 1:
                Images.Write(path, 100 * Images.Block + 7, Images.Random(10, 11));
                Images.Write(path, 7 * M + 4096, Images.Text(200 * 1024, 12)); // data appears in the hole
                Images.Write(path, 11 * M, new byte[M]);                      // a whole MiB of text zeroed
                Images.Write(path, Length - 50, Images.Random(50, 13));        // the partial last block
                break;
            case 2:
                Images.Write(path, 0, Images.Text(5000, 21));
                Images.Write(path, 3 * M + M / 2, Images.Random(64 * 1024, 22));
                Images.Write(path, 7 * M + 4096, new byte[50 * 1024]);        // part of inc1's data zeroed again
                Images.Write(path, 13 * M, Images.Text(M, 23));                // from data into the second hole
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(state));
        }
    }
}
