using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using CinderBackup.Engine.Codecs;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// The two zstd implementations: the system libzstd (the fast path) and ZstdSharp (the fallback where libzstd does
/// not load). Frames from either carry the content size, decompress with the other, and with python-zstd exactly as
/// Cinder's decompressor calls it; corrupt and truncated frames fail the same way in both.
/// </summary>
public sealed class ZstdCodecTests
{
    private static readonly ZstdCodec Managed = new(ZstdImplementation.Managed);

    private static ZstdCodec Codec(string implementation) => new(Enum.Parse<ZstdImplementation>(implementation));

    /// <summary>Text, random bytes and zeros: every block type zstd writes.</summary>
    private static byte[] Data()
    {
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 30_000).Select(i => $"record {i} of the volume\n")));
        var random = new byte[400_000];
        new Random(5).NextBytes(random);
        return text.Concat(random).Concat(new byte[300_000]).Concat(text).ToArray();
    }

    private static byte[] Compress(ZstdCodec codec, byte[] data, long? pledged = null)
    {
        var stored = new MemoryStream();
        using (var z = codec.Compress(stored, pledged ?? data.Length, null))
        {
            z.Write(data, 0, 77_777); // uneven writes
            z.Write(data, 77_777, data.Length - 77_777);
        }
        return stored.ToArray();
    }

    private static byte[] Decompress(ZstdCodec codec, byte[] stored)
    {
        using var input = codec.Decompress(new MemoryStream(stored));
        var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>The Frame_Content_Size field of a frame header (RFC 8878 §3.1.1.1), or null when absent.</summary>
    private static ulong? ContentSize(byte[] frame)
    {
        Assert.Equal(0xFD2FB528u, BinaryPrimitives.ReadUInt32LittleEndian(frame));
        var descriptor = frame[4];
        var sizeFlag = descriptor >> 6;
        var singleSegment = (descriptor & 0x20) != 0;
        var dictionaryBytes = new[] { 0, 1, 2, 4 }[descriptor & 3];
        var at = 5 + (singleSegment ? 0 : 1) + dictionaryBytes;
        return (sizeFlag, singleSegment) switch
        {
            (0, true) => frame[at],
            (0, false) => null,
            (1, _) => BinaryPrimitives.ReadUInt16LittleEndian(frame.AsSpan(at)) + 256u,
            (2, _) => BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(at)),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(frame.AsSpan(at)),
        };
    }

    [Fact]
    public void LibzstdIsThePreferredImplementationOnLinux()
    {
        Assert.True(ZstdNative.Available, "libzstd.so.1 should load on Linux");
        Assert.Equal(ZstdImplementation.Native, ZstdCodec.Preferred);
        Assert.Equal(ZstdImplementation.Native, ((ZstdCodec)CodecRegistry.Get("zstd")!).Implementation);
    }

    [Theory]
    [InlineData("Managed", "Native")]
    [InlineData("Native", "Managed")]
    [InlineData("Managed", "Managed")]
    public void FramesCarryTheContentSizeAndReadWithTheOtherImplementation(string writer, string reader)
    {
        var data = Data();
        var stored = Compress(Codec(writer), data);
        Assert.Equal((ulong)data.Length, ContentSize(stored));
        Assert.True(stored.Length < data.Length * 3 / 4, $"{stored.Length} bytes stored for {data.Length}");
        Assert.Equal(data, Decompress(Codec(reader), stored));
    }

    [Fact]
    public void ManagedFramesDecompressWithPythonZstdAsCinderReadsThem()
    {
        var data = Data();
        var stored = Compress(Managed, data);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant(), PythonZstdSha256(stored));
    }

    [Theory]
    [InlineData("Native")]
    [InlineData("Managed")]
    public void AFrameWithoutItsEndIsTruncatedAndAFlippedByteIsCorrupt(string implementation)
    {
        var codec = Codec(implementation);
        var stored = Compress(codec, Data());
        var truncated = stored.AsSpan(0, stored.Length / 2).ToArray();
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Decompress(codec, truncated)).Message);
        var flipped = (byte[])stored.Clone();
        flipped[4] ^= 0x08; // the reserved bit of the frame header descriptor
        Assert.StartsWith("zstd: ", Assert.Throws<InvalidDataException>(() => Decompress(codec, flipped)).Message);
        Assert.Contains("no data", Assert.Throws<InvalidDataException>(() => Decompress(codec, Array.Empty<byte>())).Message);
    }

    [Theory]
    [InlineData("Native")]
    [InlineData("Managed")]
    public void WritingOtherThanThePledgedSizeFails(string implementation)
    {
        var data = Data();
        Assert.ThrowsAny<Exception>(() => Compress(Codec(implementation), data, pledged: data.Length + 1));
    }

    [Fact]
    public void TheWriterFollowsCinderBackupZstd()
    {
        static Func<string, string?> Env(string? value) => name => name == ZstdCodec.ImplementationVariable ? value : null;
        Assert.Equal(ZstdImplementation.Managed, ZstdCodec.ForWriting(Env("managed")).Implementation);
        Assert.Equal(ZstdImplementation.Managed, ((ZstdCodec)CodecRegistry.Get("ZSTD", Env(" Managed "))!).Implementation);
        Assert.Equal(ZstdImplementation.Native, ZstdCodec.ForWriting(Env("native")).Implementation);
        Assert.Equal(ZstdCodec.Preferred, ZstdCodec.ForWriting(Env(null)).Implementation);
        Assert.Equal(ZstdCodec.Preferred, ZstdCodec.ForWriting(Env("")).Implementation);
        var e = Assert.Throws<CinderBackupException>(() => ZstdCodec.ForWriting(Env("fast")));
        Assert.Equal(ErrorIds.ConfigInvalid, e.ErrorId);
        Assert.Equal("CINDERBACKUP_ZSTD must be 'native' or 'managed', not 'fast'.", e.Message);
        Assert.Equal("CINDERBACKUP_ZSTD", e.Target);
        // Readers ignore the variable: they take the fastest implementation that loads.
        Assert.Equal(ZstdCodec.Preferred, ((ZstdCodec)CodecRegistry.Get("zstd")!).Implementation);
    }

    /// <summary>Runs <c>zstd.decompress</c> (python-zstd, Cinder's ZstdCompressor.decompress) and prints the SHA-256.</summary>
    private static string PythonZstdSha256(byte[] frame)
    {
        var file = Path.Combine(Path.GetTempPath(), $"cb-zstd-{Guid.NewGuid():N}");
        File.WriteAllBytes(file, frame);
        try
        {
            var psi = new ProcessStartInfo("/usr/bin/python3", new[]
            {
                "-c", "import hashlib, sys, zstd; print(hashlib.sha256(zstd.decompress(open(sys.argv[1], 'rb').read())).hexdigest())", file,
            })
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var python = Process.Start(psi)!;
            var printed = python.StandardOutput.ReadToEnd().Trim();
            var errors = python.StandardError.ReadToEnd();
            python.WaitForExit();
            Assert.True(python.ExitCode == 0, "python-zstd could not decompress the frame: " + errors);
            return printed;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
