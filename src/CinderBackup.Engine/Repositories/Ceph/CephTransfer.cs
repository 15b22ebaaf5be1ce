using System.Buffers;
using CinderBackup.Engine.Backup;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Native.Ceph;
using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.Util;
using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Engine.Repositories.Ceph;

/// <summary>
/// The data paths of the Ceph repository: a file volume into a new backup image, and an image (at its snapshot) back
/// into a file, or only read and checked. Pieces of up to 4 MiB (one RBD object) move on several workers at once, each
/// with its own buffer, so memory is workers x piece; every hash block is SHA-256'd as the _sha256file lists it.
/// </summary>
internal static class CephTransfer
{
    public const long GiB = 1L << 30;

    /// <summary>The piece each worker moves: backup_ceph_chunk_size, at most one default RBD object, whole hash blocks.</summary>
    public static int Piece(long chunkSize, long block)
    {
        var piece = Math.Min(chunkSize, 4L << 20);
        return (int)Math.Max(block, piece / block * block);
    }

    /// <summary>
    /// Copies the source file into <paramref name="image"/> (new, thin: zero blocks are not written), hashing every block
    /// of the image's length (past the file's end: zeros) into <paramref name="hashes"/>. Returns the bytes written.
    /// </summary>
    public static long Backup(SourceVolume source, RbdImage image, long imageSize, long block, int piece, HashFile hashes, int workers,
        IoThrottle? throttle, IProgress<TransferProgress>? progress)
    {
        long written = 0, done = 0;
        var pieces = (source.Length + piece - 1) / piece;
        progress?.Report(new TransferProgress(0, source.Length, 0, 0));
        try
        {
            Parallel.For(0, pieces, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers) }, () => (ArrayPool<byte>.Shared.Rent(piece), new byte[(piece / (int)block + 1) * HashFile.HashSize]),
                (i, _, buffers) =>
                {
                    var (buffer, scratch) = buffers;
                    var start = i * piece;
                    var length = (int)Math.Min(piece, source.Length - start);
                    var data = buffer.AsSpan(0, length);
                    foreach (var (runStart, runEnd, hole) in source.Runs(start, start + length, block))
                    {
                        var slice = data.Slice((int)(runStart - start), (int)(runEnd - runStart));
                        if (hole)
                        {
                            slice.Clear();
                        }
                        else
                        {
                            throttle?.Consume(slice.Length);
                            source.Read(slice, runStart);
                        }
                    }
                    BlockHashes.Write(data, start, block, hashes, scratch);
                    // Only blocks holding data go to the image: a new image reads as zeros everywhere else.
                    for (var at = 0; at < length;)
                    {
                        var n = (int)Math.Min(block, length - at);
                        if (ZeroData.IsZero(data.Slice(at, n)))
                        {
                            at += n;
                            continue;
                        }
                        var end = at + n;
                        while (end < length && !ZeroData.IsZero(data.Slice(end, (int)Math.Min(block, length - end))))
                        {
                            end += (int)Math.Min(block, length - end);
                        }
                        image.Write(start + at, data[at..end]);
                        Interlocked.Add(ref written, end - at);
                        at = end;
                    }
                    FaultPoints.Hit("ceph.backup.piece");
                    progress?.Report(new TransferProgress(Interlocked.Add(ref done, length), source.Length, 0, Interlocked.Read(ref written)));
                    return buffers;
                },
                buffers => ArrayPool<byte>.Shared.Return(buffers.Item1));
        }
        catch (AggregateException e)
        {
            ParallelErrors.Rethrow(e);
        }
        // Past the file's end the image reads as zeros: those blocks get the zero digest.
        var first = (source.Length + block - 1) / block;
        var total = (imageSize + block - 1) / block;
        if (source.Length % block != 0 && first > 0)
        {
            // The file's last partial block was hashed over the file's bytes only; the image's block is a whole one.
            var tail = new byte[block];
            var filled = (int)(source.Length % block);
            source.Read(tail.AsSpan(0, filled), source.Length - filled);
            var digest = System.Security.Cryptography.SHA256.HashData(first * block <= imageSize ? tail : tail.AsSpan(0, (int)(imageSize - (first - 1) * block)));
            hashes.Write(first - 1, digest);
        }
        FillZero(hashes, first, total, block);
        hashes.Count = total;
        return written;
    }

    /// <summary>
    /// Ships extents of an RBD source (at its backup snapshot) into a base image, as Cinder's export-diff | import-diff:
    /// <paramref name="extents"/> (block-aligned, in order, merged) are read from the source, hashed into
    /// <paramref name="hashes"/> (which already holds every other block's digest), and written to the base; all-zero
    /// blocks are not written to a <paramref name="fresh"/> image and are zeroed (rbd_write_zeroes) on an existing one.
    /// Pieces move on several workers, each with its own buffer: memory is workers x piece. Returns the bytes written
    /// with data and the bytes zeroed.
    /// </summary>
    public static (long Written, long Zeroed) Ship(SourceVolume source, RbdImage image, bool fresh, IReadOnlyList<(long Start, long End)> extents,
        long imageSize, long block, int piece, HashFile hashes, int workers, IoThrottle? throttle, IProgress<TransferProgress>? progress)
    {
        var pieces = new List<(long Start, int Length)>();
        foreach (var (s, e) in extents)
        {
            for (var at = s; at < Math.Min(e, imageSize); at += piece)
            {
                pieces.Add((at, (int)Math.Min(piece, Math.Min(e, imageSize) - at)));
            }
        }
        var total = pieces.Sum(p => (long)p.Length);
        long written = 0, zeroed = 0, done = 0;
        progress?.Report(new TransferProgress(0, total, 0, 0));
        try
        {
            Parallel.ForEach(pieces, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers) },
                () => (ArrayPool<byte>.Shared.Rent(piece + (int)block), new byte[(piece / (int)block + 2) * HashFile.HashSize]),
                (p, _, buffers) =>
                {
                    var (buffer, scratch) = buffers;
                    // Whole blocks are hashed: a piece that ends inside the source's last block is padded with zeros, as
                    // the image reads past the source's end.
                    var length = (int)Math.Min((p.Length + block - 1) / block * block, imageSize - p.Start);
                    var data = buffer.AsSpan(0, length);
                    var fromSource = (int)Math.Clamp(source.Length - p.Start, 0, length);
                    throttle?.Consume(fromSource);
                    source.Read(data[..fromSource], p.Start);
                    data[fromSource..].Clear();
                    BlockHashes.Write(data, p.Start, block, hashes, scratch);
                    for (var at = 0; at < length;)
                    {
                        var zero = ZeroData.IsZero(data.Slice(at, (int)Math.Min(block, length - at)));
                        var end = at;
                        while (end < length && ZeroData.IsZero(data.Slice(end, (int)Math.Min(block, length - end))) == zero)
                        {
                            end += (int)Math.Min(block, length - end);
                        }
                        if (!zero)
                        {
                            image.Write(p.Start + at, data[at..end]);
                            Interlocked.Add(ref written, end - at);
                        }
                        else if (!fresh)
                        {
                            image.WriteZeroes(p.Start + at, end - at);
                            Interlocked.Add(ref zeroed, end - at);
                        }
                        at = end;
                    }
                    FaultPoints.Hit("ceph.chain.piece");
                    progress?.Report(new TransferProgress(Interlocked.Add(ref done, p.Length), total, 0, Interlocked.Read(ref written)));
                    return buffers;
                },
                buffers => ArrayPool<byte>.Shared.Return(buffers.Item1));
        }
        catch (AggregateException e)
        {
            ParallelErrors.Rethrow(e);
        }
        return (written, zeroed);
    }

    /// <summary>Sets the digests of blocks [<paramref name="from"/>, <paramref name="to"/>) to the zero block's.</summary>
    public static void FillZero(HashFile hashes, long from, long to, long block)
    {
        var zero = ZeroData.Sha256(block);
        var batch = new byte[4096 * HashFile.HashSize];
        for (var k = 0; k < 4096; k++)
        {
            zero.CopyTo(batch, k * HashFile.HashSize);
        }
        for (var k = from; k < to; k += 4096)
        {
            var n = (int)Math.Min(4096, to - k);
            hashes.Write(k, batch.AsSpan(0, n * HashFile.HashSize));
        }
    }

    /// <summary>Block-aligned, merged union of extent lists (each in any order), clipped to [0, <paramref name="length"/>).</summary>
    public static List<(long Start, long End)> Union(long block, long length, params IEnumerable<(long Start, long End)>[] lists)
    {
        var merged = new List<(long Start, long End)>();
        foreach (var (s0, e0) in lists.SelectMany(l => l).OrderBy(x => x.Start))
        {
            var s = s0 / block * block;
            var e = Math.Min(length, (e0 + block - 1) / block * block);
            if (e <= s)
            {
                continue;
            }
            if (merged.Count > 0 && s <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, e));
            }
            else
            {
                merged.Add((s, e));
            }
        }
        return merged;
    }

    /// <summary>
    /// Reads [0, <paramref name="length"/>) of an image (at its snapshot) in pieces on several workers, checks each hash
    /// block against <paramref name="expected"/> (when there is a list) and hands the data to <paramref name="sink"/>
    /// (offset, data, all zero). Extents the image never allocated are not read. Returns the bytes read from Ceph.
    /// </summary>
    public static long Read(RbdImage image, long length, long block, int piece, HashFile? expected, string what, int workers,
        Action<long, ReadOnlyMemory<byte>, bool>? sink, IoThrottle? throttle, IProgress<TransferProgress>? progress, CancellationToken cancel)
    {
        var extents = new CephExtents(image.Diff(null, 0, length).Where(e => e.Exists).Select(e => (e.Offset, e.Length)));
        long read = 0, done = 0;
        var pieces = (length + piece - 1) / piece;
        progress?.Report(new TransferProgress(0, length, 0, 0));
        try
        {
            Parallel.For(0, pieces, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers), CancellationToken = cancel },
                () => (ArrayPool<byte>.Shared.Rent(piece), new byte[(piece / (int)block + 1) * HashFile.HashSize], new byte[(piece / (int)block + 1) * HashFile.HashSize]),
                (i, _, buffers) =>
                {
                    var (buffer, digests, wanted) = buffers;
                    var start = i * piece;
                    var n = (int)Math.Min(piece, length - start);
                    var data = buffer.AsSpan(0, n);
                    var allocated = extents.Overlaps(start, start + n);
                    if (allocated)
                    {
                        throttle?.Consume(n);
                        for (var at = 0; at < n;)
                        {
                            var got = image.Read(start + at, data[at..]);
                            if (got <= 0)
                            {
                                throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                                    $"{what}: the image ended at {start + at} bytes, before {length}.", what);
                            }
                            at += got;
                        }
                        Interlocked.Add(ref read, n);
                    }
                    else
                    {
                        data.Clear();
                    }
                    var blocks = (int)((n + block - 1) / block);
                    var zero = BlockHashes.Compute(data, block, digests.AsSpan(0, blocks * HashFile.HashSize), knownZero: !allocated);
                    if (expected is not null)
                    {
                        var first = start / block;
                        var have = (int)Math.Max(0, Math.Min(blocks, expected.Count - first));
                        expected.Read(first, wanted.AsSpan(0, have * HashFile.HashSize));
                        for (var k = 0; k < blocks; k++)
                        {
                            if (k >= have || !digests.AsSpan(k * HashFile.HashSize, HashFile.HashSize).SequenceEqual(wanted.AsSpan(k * HashFile.HashSize, HashFile.HashSize)))
                            {
                                throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                                    k >= have
                                        ? $"{what}: its hash list ends at block {first + have}, before the data at offset {start + k * block}."
                                        : $"{what}: the data at offset {start + k * block} does not match its SHA-256 in the hash list (block {first + k}).", what);
                            }
                        }
                    }
                    sink?.Invoke(start, buffer.AsMemory(0, n), zero);
                    progress?.Report(new TransferProgress(Interlocked.Add(ref done, n), length, 0, 0));
                    return buffers;
                },
                buffers => ArrayPool<byte>.Shared.Return(buffers.Item1));
        }
        catch (AggregateException e)
        {
            ParallelErrors.Rethrow(e);
        }
        return read;
    }

    /// <summary>Opens a restore target file or device (a registered path must still be the file its check found).</summary>
    public static SafeFileHandle OpenTarget(string path, Native.FileIdentity? identity)
    {
        try
        {
            return identity is { } id
                ? Volumes.VolumeFile.Open(path, write: true, id)
                : File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError, $"Cannot open the target volume '{path}' for writing: {e.Message}", path, e);
        }
    }
}
