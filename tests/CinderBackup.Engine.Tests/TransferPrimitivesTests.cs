using System.Security.Cryptography;
using CinderBackup.Engine.Codecs;
using CinderBackup.Engine.Transfer;

namespace CinderBackup.Engine.Tests;

/// <summary>The transfer engine's building blocks: MD5 in lanes, zero facts, the native bzip2 codec.</summary>
public sealed class TransferPrimitivesTests
{
    /// <summary>The lane widths this machine's vector unit runs (16: AVX-512, 8: AVX2, 1: scalar); others are not listed.</summary>
    public static TheoryData<int> LaneWidths()
    {
        var widths = new TheoryData<int>();
        foreach (var width in new[] { 16, 8, 1 }.Where(w => w <= Md5Lanes.HardwareWidth))
        {
            widths.Add(width);
        }
        return widths;
    }

    [Theory]
    [MemberData(nameof(LaneWidths))]
    public void Md5LanesGiveThePlatformsDigests(int width)
    {
        var random = new Random(width);
        var saved = Md5Lanes.ForcedWidth;
        Md5Lanes.ForcedWidth = width;
        try
        {
            for (var trial = 0; trial < 20; trial++)
            {
                // Objects of different lengths (some not whole blocks), fed in uneven pieces, more than one group of lanes.
                var data = Enumerable.Range(0, random.Next(1, 20)).Select(_ => Bytes(random, random.Next(0, 3000) * (random.Next(2) == 0 ? 64 : 1))).ToArray();
                var digests = data.Select(_ => new Md5Digest()).ToList();
                var offsets = new int[data.Length];
                while (offsets.Where((o, i) => o < data[i].Length).Any())
                {
                    var pieces = new List<ReadOnlyMemory<byte>>();
                    for (var i = 0; i < data.Length; i++)
                    {
                        var n = Math.Min(data[i].Length - offsets[i], random.Next(3) == 0 ? random.Next(0, 700) : 64 * random.Next(0, 40));
                        pieces.Add(data[i].AsMemory(offsets[i], n));
                        offsets[i] += n;
                    }
                    Md5Lanes.Update(digests, pieces);
                }
                for (var i = 0; i < data.Length; i++)
                {
                    Assert.Equal(Convert.ToHexString(MD5.HashData(data[i])).ToLowerInvariant(), digests[i].FinishHex());
                }
            }
        }
        finally
        {
            Md5Lanes.ForcedWidth = saved;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(32768)]
    [InlineData(1 << 20)]
    [InlineData((3 << 20) + 12345)]
    public void ZeroFactsAreThoseOfZeros(int length)
    {
        var zeros = new byte[length];
        Assert.Equal(Convert.ToHexString(MD5.HashData(zeros)).ToLowerInvariant(), ZeroData.Md5Hex(length));
        var resumed = ZeroData.Md5After(length);
        resumed.Append(new byte[] { 1, 2, 3 });
        Assert.Equal(Convert.ToHexString(MD5.HashData(zeros.Concat(new byte[] { 1, 2, 3 }).ToArray())).ToLowerInvariant(), resumed.FinishHex());
        foreach (var name in new[] { "zstd", "zlib", "bz2" })
        {
            var codec = CodecRegistry.Get(name)!;
            var blob = ZeroData.Compress(codec, null, length);
            using var input = codec.Decompress(new MemoryStream(blob));
            var output = new MemoryStream();
            input.CopyTo(output);
            Assert.True(output.Length == length && ZeroData.IsZero(output.ToArray()), $"{name}: the stored form of {length} zeros decompresses to {output.Length} bytes");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(129)]
    [InlineData(2048)]
    [InlineData(2049)]
    public void ShippedZeroMd5StatesAreRight(int mib)
    {
        // The shipped table ends at 2048 MiB; 2049 is computed from its last entry.
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var zeros = new byte[1 << 20];
        for (var i = 0; i < mib; i++)
        {
            md5.AppendData(zeros);
        }
        md5.AppendData(new byte[] { 7 });
        var digest = ZeroData.Md5After((long)mib << 20);
        digest.Append(new byte[] { 7 });
        Assert.Equal(Convert.ToHexString(md5.GetHashAndReset()).ToLowerInvariant(), digest.FinishHex());
    }

    [Fact]
    public void ZlibStoresRandomStretchesAndDeflatesTheRestAsPythonReads()
    {
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 40_000).Select(i => $"line {i} of text\n")));
        var random = new byte[700_000];
        new Random(3).NextBytes(random);
        var data = text.Concat(random).Concat(text).Concat(random.AsSpan(0, 300_000).ToArray()).ToArray();
        var stored = new MemoryStream();
        using (var z = CodecRegistry.Get("zlib")!.Compress(stored, data.Length, null))
        {
            z.Write(data, 0, 123_457); // uneven writes
            z.Write(data, 123_457, data.Length - 123_457);
        }
        using (var input = new System.IO.Compression.ZLibStream(new MemoryStream(stored.ToArray()), System.IO.Compression.CompressionMode.Decompress))
        {
            var output = new MemoryStream();
            input.CopyTo(output);
            Assert.Equal(data, output.ToArray());
        }
        // The text shrank; the random stretches cost little more than themselves (stored, not deflated).
        Assert.True(stored.Length < 1_000_000 + text.Length, $"{stored.Length} bytes stored for {data.Length}");
        // Cinder reads it with Python's zlib.decompress, which also checks the Adler-32 at the end.
        var file = Path.Combine(Path.GetTempPath(), $"cb-zlib-{Guid.NewGuid():N}");
        File.WriteAllBytes(file, stored.ToArray());
        try
        {
            var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3", new[]
            {
                "-c", "import hashlib, sys, zlib; print(hashlib.sha256(zlib.decompress(open(sys.argv[1], 'rb').read())).hexdigest())", file,
            })
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var python = System.Diagnostics.Process.Start(psi)!;
            var printed = python.StandardOutput.ReadToEnd().Trim();
            var errors = python.StandardError.ReadToEnd();
            python.WaitForExit();
            Assert.True(python.ExitCode == 0, errors);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant(), printed);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Bz2ReadsConcatenatedStreamsAsPythonDoes()
    {
        var codec = CodecRegistry.Get("bz2")!;
        var parts = new[] { Bytes(new Random(1), 300_000), System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("bzip2 ", 50_000))) };
        var stored = new MemoryStream();
        foreach (var part in parts)
        {
            using var z = codec.Compress(stored, part.Length, null);
            z.Write(part);
        }
        stored.Position = 0;
        using var input = codec.Decompress(stored);
        var output = new MemoryStream();
        input.CopyTo(output);
        Assert.Equal(parts[0].Concat(parts[1]).ToArray(), output.ToArray());
        Assert.True(Bz2Native.Available, "libbz2 should be found on Linux (libbz2.so.1.0).");
    }

    private static byte[] Bytes(Random random, int length)
    {
        var b = new byte[length];
        random.NextBytes(b);
        return b;
    }
}
