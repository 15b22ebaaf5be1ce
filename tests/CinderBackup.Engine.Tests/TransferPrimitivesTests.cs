using System.Security.Cryptography;
using CinderBackup.Engine.Codecs;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Pipeline;

namespace CinderBackup.Engine.Tests;

/// <summary>The transfer engine's building blocks: MD5 in lanes, zero facts, the native bzip2 codec, the sha256 list
/// writer, the in-order worker.</summary>
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

    [Fact]
    public void TheSha256ListIsTheSameWhateverWayItsZeroBlocksCome()
    {
        // Zero blocks as a counted run (holes) or as digests (zeros read from data), a block of data among them,
        // and a short last block: the same bytes either way, in Cinder's layout.
        const long Chunk = 32768;
        var header = new DocumentHeader("b", "v", "n", null, "2024-05-01 12:34:56+00:00");
        var zero = ZeroData.Sha256(Chunk);
        var data = SHA256.HashData(new byte[] { 1 });
        var tail = ZeroData.Sha256(100);
        var count = 5000L + 1 + 4100 + 1;
        string Written(bool asRun)
        {
            using var output = new MemoryStream();
            var w = new Sha256DocumentWriter(output, header, Chunk, count);
            if (asRun)
            {
                w.AppendZeroBlocks(5000);
            }
            else
            {
                w.Append(Enumerable.Repeat(zero, 5000).SelectMany(d => d).ToArray());
            }
            w.Append(data);
            w.AppendZeroBlocks(4100);
            w.Append(tail);
            Assert.Equal(count, w.Written);
            w.Finish();
            return System.Text.Encoding.UTF8.GetString(output.ToArray());
        }
        var text = Written(asRun: true);
        Assert.Equal(text, Written(asRun: false));
        var list = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("sha256s").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(count, list.Count);
        Assert.Equal(Convert.ToHexString(data).ToLowerInvariant(), list[5000]);
        Assert.Equal(Convert.ToHexString(tail).ToLowerInvariant(), list[^1]);
        Assert.EndsWith($"\"{Convert.ToHexString(tail).ToLowerInvariant()}\"\n  ],\n  \"version\": \"1.0.0\",\n  \"volume_id\": \"v\"\n}}", text);
        Assert.StartsWith("{\n  \"backup_description\": null,\n  \"backup_id\": \"b\",\n  \"backup_name\": \"n\",\n  \"chunk_size\": 32768,\n", text);
    }

    [Fact]
    public void TheSha256ListRefusesMoreOrFewerDigestsThanAnnounced()
    {
        var header = new DocumentHeader("b", "v", "n", null, "2024-05-01 12:34:56+00:00");
        var w = new Sha256DocumentWriter(new MemoryStream(), header, 32768, 3);
        w.AppendZeroBlocks(2);
        Assert.Throws<InvalidOperationException>(() => w.Finish());
        Assert.Throws<InvalidOperationException>(() => w.AppendZeroBlocks(2));
        var empty = new MemoryStream();
        var none = new Sha256DocumentWriter(empty, header, 32768, 0);
        none.Finish();
        Assert.Contains("\"sha256s\": [],\n", System.Text.Encoding.UTF8.GetString(empty.ToArray()));
    }

    [Fact]
    public void TheInOrderWorkerHandlesItemsInSequenceWhateverOrderTheyCome()
    {
        var handled = new List<int>();
        using var worker = new InOrderWorker<int>("test", handled.Add, _ => { });
        foreach (var i in new[] { 3, 1, 4, 0, 2, 6, 5 })
        {
            worker.Add(i, i);
        }
        worker.Finish(7);
        Assert.Equal(Enumerable.Range(0, 7), handled);
        Assert.Equal(7, worker.Handled);
    }

    [Fact]
    public void TheInOrderWorkersFailureReachesTheProducerAndTheRestIsDiscarded()
    {
        var discarded = new List<int>();
        var worker = new InOrderWorker<int>("test", i =>
        {
            if (i == 1)
            {
                throw new IOException("No space left on device");
            }
        }, discarded.Add);
        worker.Add(2, 2);
        worker.Add(0, 0);
        worker.Add(1, 1);
        Assert.Equal("No space left on device", Assert.Throws<IOException>(() => worker.WaitBeyond(1)).Message);
        Assert.Throws<IOException>(() => worker.ThrowIfFailed());
        Assert.Throws<IOException>(() => worker.Add(3, 3));
        Assert.Throws<IOException>(() => worker.Finish(4));
        worker.Dispose();
        Assert.Equal(new[] { 1, 2, 3 }, discarded.OrderBy(i => i)); // the failed one, the queued one, the refused one
    }
}
