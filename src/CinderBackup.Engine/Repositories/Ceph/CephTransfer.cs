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
        ParallelErrors.For(0, pieces, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers) }, () => (ArrayPool<byte>.Shared.Rent(piece), new byte[(piece / (int)block + 1) * HashFile.HashSize]),
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
        var zero = ZeroData.Sha256(block);
        var batch = new byte[4096 * HashFile.HashSize];
        for (var k = 0; k < 4096; k++)
        {
            zero.CopyTo(batch, k * HashFile.HashSize);
        }
        for (var k = first; k < total; k += 4096)
        {
            var n = (int)Math.Min(4096, total - k);
            hashes.Write(k, batch.AsSpan(0, n * HashFile.HashSize));
        }
        hashes.Count = total;
        return written;
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
        ParallelErrors.For(0, pieces, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers), CancellationToken = cancel },
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
