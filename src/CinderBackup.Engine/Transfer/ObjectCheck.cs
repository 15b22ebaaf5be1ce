using System.Buffers;
using System.Security.Cryptography;
using CinderBackup.Engine.Codecs;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Transfer;

/// <summary>
/// Streams one stored object: decompresses it per its recorded algorithm, checks its length and the MD5 of
/// its uncompressed data (which Cinder records but never checks), and checks the SHA-256 of every block in
/// the requested ranges against a sha256 list before handing the block on. Bad data is never passed on:
/// every failure names the object and the offset.
/// </summary>
internal static class ObjectCheck
{
    private const int PieceSize = 1 << 20;

    /// <summary>Receives verified data: volume offset, bytes, and whether they are all zero.</summary>
    public delegate void Sink(long offset, ReadOnlySpan<byte> data, bool zero);

    public static void Run(ChainLayer layer, ObjectEntry o, IReadOnlyList<(long Start, long End)> ranges, HashFile expected,
        long block, Sink? sink, IoThrottle? throttle, Action<long>? progress, CancellationToken cancel)
    {
        ICodec? codec;
        try
        {
            codec = CodecRegistry.Get(o.Compression);
        }
        catch (CinderBackupException e)
        {
            throw Corrupt(layer, o, o.Offset, e.Message, e);
        }
        var piece = (int)Math.Max(block, PieceSize / block * block);
        var buffer = ArrayPool<byte>.Shared.Rent(piece);
        var expectedDigests = new byte[(piece / block + 1) * HashFile.HashSize];
        var actual = new byte[HashFile.HashSize];
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var position = o.Offset;
        var rangeIndex = 0;
        try
        {
            using var raw = layer.Store.OpenRead(layer.Container, o.Name);
            Stream opened;
            try
            {
                opened = codec is null ? raw : codec.Decompress(raw); // bz2 reads its header here
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ICSharpCode.SharpZipLib.SharpZipBaseException)
            {
                throw Corrupt(layer, o, position, $"it cannot be decompressed with {o.Compression}: {e.Message}", e);
            }
            using var data = opened;
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                int n;
                try
                {
                    n = data.ReadAtLeast(buffer.AsSpan(0, piece), piece, throwOnEndOfStream: false);
                }
                catch (Exception e) when (e is InvalidDataException or IOException or ICSharpCode.SharpZipLib.SharpZipBaseException)
                {
                    throw Corrupt(layer, o, position, $"it cannot be decompressed with {o.Compression}: {e.Message}", e);
                }
                if (n == 0)
                {
                    break;
                }
                if (position + n > o.End)
                {
                    throw Corrupt(layer, o, o.End, $"it holds more than the {o.Length} bytes its metadata records");
                }
                if (n < piece && position + n < o.End)
                {
                    // A short read is the end of the stream: the object stops before its recorded length.
                    throw Corrupt(layer, o, position + n, $"it is truncated: {position + n - o.Offset} of {o.Length} bytes");
                }
                throttle?.Consume(n);
                var span = buffer.AsSpan(0, n);
                md5.AppendData(span);
                var pieceStart = position;
                var pieceEnd = position + n;
                while (rangeIndex < ranges.Count && ranges[rangeIndex].End <= pieceStart)
                {
                    rangeIndex++;
                }
                for (var r = rangeIndex; r < ranges.Count && ranges[r].Start < pieceEnd; r++)
                {
                    var s = Math.Max(ranges[r].Start, pieceStart);
                    var e = Math.Min(ranges[r].End, pieceEnd);
                    CheckBlocks(layer, o, span.Slice((int)(s - pieceStart), (int)(e - s)), s, expected, block, expectedDigests, actual, sink);
                }
                position = pieceEnd;
                progress?.Invoke(n);
            }
        }
        catch (CinderBackupException e) when (e.ErrorId == ErrorIds.BackupObjectMissing)
        {
            throw Corrupt(layer, o, o.Offset, "it is missing from the repository", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (position != o.End)
        {
            throw Corrupt(layer, o, position, $"it is truncated: {position - o.Offset} of {o.Length} bytes");
        }
        var md5Hex = Hex.Lower(md5.GetHashAndReset());
        if (o.Md5.Length > 0 && !string.Equals(md5Hex, o.Md5, StringComparison.OrdinalIgnoreCase))
        {
            throw Corrupt(layer, o, o.Offset, $"its MD5 is {md5Hex}, the metadata records {o.Md5}");
        }
    }

    private static void CheckBlocks(ChainLayer layer, ObjectEntry o, ReadOnlySpan<byte> data, long offset, HashFile expected, long block,
        byte[] expectedDigests, byte[] actual, Sink? sink)
    {
        var first = offset / block;
        var count = (int)((data.Length + block - 1) / block);
        if (first + count > expected.Count)
        {
            throw Corrupt(layer, o, offset, $"it reaches block {first + count - 1}, past the {expected.Count} blocks of the backup's sha256 list");
        }
        expected.Read(first, expectedDigests.AsSpan(0, count * HashFile.HashSize));
        var runStart = 0;
        bool? runZero = null;
        for (var k = 0; k < count; k++)
        {
            var blockData = data.Slice((int)(k * block), (int)Math.Min(block, data.Length - k * block));
            var zero = ZeroData.IsZero(blockData);
            if (zero)
            {
                ZeroData.Sha256(blockData.Length).CopyTo(actual, 0);
            }
            else
            {
                SHA256.HashData(blockData, actual);
            }
            if (!actual.AsSpan().SequenceEqual(expectedDigests.AsSpan(k * HashFile.HashSize, HashFile.HashSize)))
            {
                throw Corrupt(layer, o, offset + k * block,
                    $"block {first + k} does not match the SHA-256 in the backup's sha256 list (expected {Hex.Lower(expectedDigests.AsSpan(k * HashFile.HashSize, HashFile.HashSize))}, got {Hex.Lower(actual)})");
            }
            if (runZero is bool z && z != zero)
            {
                sink?.Invoke(offset + runStart * block, data.Slice((int)(runStart * block), (int)(k * block - runStart * block)), z);
                runStart = k;
            }
            runZero = zero;
        }
        if (runZero is bool last)
        {
            sink?.Invoke(offset + runStart * block, data[(int)(runStart * block)..], last);
        }
    }

    public static CinderBackupException Corrupt(ChainLayer layer, ObjectEntry o, long offset, string what, Exception? inner = null) =>
        new(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
            $"Backup {layer.BackupId}: object '{o.Name}' at volume offset {offset}: {what}.", o.Name, inner);
}
