using System.Buffers;
using System.Security.Cryptography;
using CinderBackup.Engine.Codecs;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Repositories;

using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Transfer;

/// <summary>
/// Writes one backup in Cinder's chunked format. The volume is cut into cells on the object-size grid (as
/// Cinder's read loop does); workers process cells in parallel, streaming in small pieces, and the caller's
/// thread publishes their objects in offset order so names (<c>-00001</c>, ...) are sequential. Full backups
/// store one object per data run and one per hole (holes are never read: their SHA-256, MD5 and compressed
/// form are constants); incremental backups hash every block, compare with the parent's list, and store each
/// run of changed blocks. The <c>_sha256file</c> and then the <c>_metadata</c> are written last.
/// </summary>
internal sealed class BackupWriter
{
    private const int PieceSize = 1 << 20;
    private readonly BackupWriteRequest _r;
    private readonly long _block;
    private readonly int _piece;

    public BackupWriter(BackupWriteRequest request)
    {
        _r = request;
        _block = request.ShaBlockSize;
        _piece = (int)Math.Max(_block, PieceSize / _block * _block);
    }

    /// <summary>One object made by a worker, waiting for its name.</summary>
    private sealed record Staged(IStagedObject Object, long Offset, long Length, string Compression, string Md5, long StoredBytes);

    public BackupWriteResult Run()
    {
        var store = _r.Store;
        store.PutContainer(_r.Container);
        using var source = SourceVolume.Open(_r.SourcePath, "the volume");
        var length = source.Length;
        var blocks = (length + _block - 1) / _block;
        var cells = (int)((length + _r.ObjectSize - 1) / _r.ObjectSize);
        if (_r.ParentHashes is { } parent && parent.Count < blocks)
        {
            throw new CinderBackupException(ErrorIds.InvalidBackup, ErrorKind.InvalidState,
                $"Invalid backup: the volume has {blocks} hash blocks but its parent backup only {parent.Count}; the volume grew. Do a full backup.", _r.Header.BackupId);
        }

        using var hashes = HashFile.Create(_r.TempDirectory);
        hashes.Count = blocks;
        var entries = new List<ObjectEntry>();
        long stored = 0, scanned = 0, changed = 0;
        var sequence = 0;
        _r.Progress?.Report(new TransferProgress(0, length, 0, 0));
        try
        {
            OrderedParallel.Run(cells, _r.Workers, _r.Workers * 2,
                (cell, cancel) => ProcessCell(source, hashes, cell, cancel),
                (cell, objects) =>
                {
                    CheckCancel();
                    foreach (var o in objects)
                    {
                        var name = $"{_r.Prefix}-{++sequence:00000}";
                        FaultPoints.Hit("backup.object.staged");
                        o.Object.Commit(name);
                        FaultPoints.Hit("backup.object.committed");
                        o.Object.Dispose();
                        entries.Add(new ObjectEntry(name, o.Offset, o.Length, o.Compression, o.Md5));
                        stored += o.StoredBytes;
                        changed += o.Length;
                    }
                    scanned = Math.Min(length, (long)(cell + 1) * _r.ObjectSize);
                    _r.Progress?.Report(new TransferProgress(scanned, length, entries.Count, stored));
                },
                objects => objects.ForEach(o => o.Object.Dispose()),
                _r.Cancel);
            CheckCancel();

            var volumeMeta = _r.VolumeMeta();
            store.WaitForWrites(); // every data object is stored before the documents (S3 uploads in the background)
            string sha256FileDigest, metadataDigest;
            using (var staged = store.Stage(_r.Container, _r.StageTag))
            {
                using var digest = DigestStream.ForWriting(staged.Stream);
                Sha256Document.Write(digest, _r.Header, _block, hashes);
                sha256FileDigest = digest.Finish();
                FaultPoints.Hit("backup.sha256file.staged");
                staged.Commit($"{_r.Prefix}_sha256file");
            }
            store.WaitForWrites();
            CheckCancel();
            using (var staged = store.Stage(_r.Container, _r.StageTag))
            {
                using var digest = DigestStream.ForWriting(staged.Stream);
                MetadataDocument.Write(digest, _r.Header, entries, _r.ParentId, volumeMeta);
                metadataDigest = digest.Finish();
                FaultPoints.Hit("backup.metadata.staged");
                staged.Commit($"{_r.Prefix}_metadata");
            }
            store.WaitForWrites();
            FaultPoints.Hit("backup.metadata.committed");
            return new BackupWriteResult(entries.Count, stored, length, changed) { MetadataSha256 = metadataDigest, Sha256FileSha256 = sha256FileDigest };
        }
        catch
        {
            RemoveEverything(store, _r.Container, _r.Prefix, _r.StageTag);
            throw;
        }
    }

    /// <summary>Deletes every object with the prefix and every staging file of the operation.</summary>
    public static void RemoveEverything(IObjectStore store, string container, string prefix, string stageTag)
    {
        try
        {
            try
            {
                store.WaitForWrites(); // uploads still in flight must end before the listing
            }
            catch (CinderBackupException)
            {
            }
            store.RemoveStaged(container, stageTag);
            foreach (var name in store.List(container, prefix))
            {
                store.Delete(container, name);
            }
        }
        catch (CinderBackupException)
        {
            // The repository itself failed (e.g. it went away); start-up recovery removes leftovers later.
        }
    }

    private void CheckCancel()
    {
        _r.Cancel.ThrowIfCancellationRequested();
    }

    private List<Staged> ProcessCell(SourceVolume source, HashFile hashes, int cell, CancellationToken cancel)
    {
        var start = (long)cell * _r.ObjectSize;
        var end = Math.Min(source.Length, start + _r.ObjectSize);
        var made = new List<Staged>();
        try
        {
            if (_r.ParentHashes is null)
            {
                foreach (var (s, e, hole) in source.Runs(start, end, _block))
                {
                    cancel.ThrowIfCancellationRequested();
                    made.Add(hole ? HoleObject(hashes, s, e, source.Length) : DataObject(source, hashes, s, e, hash: true, cancel));
                }
            }
            else
            {
                foreach (var (s, e) in ChangedExtents(source, hashes, start, end, cancel))
                {
                    cancel.ThrowIfCancellationRequested();
                    made.Add(DataObject(source, hashes, s, e, hash: false, cancel));
                }
            }
            return made;
        }
        catch
        {
            made.ForEach(o => o.Object.Dispose());
            throw;
        }
    }

    /// <summary>An all-zero run that is a hole in the source: nothing is read, hashed or compressed.</summary>
    private Staged HoleObject(HashFile hashes, long start, long end, long volumeLength)
    {
        WriteZeroHashes(hashes, start, end, volumeLength);
        var length = end - start;
        var staged = _r.Store.Stage(_r.Container, _r.StageTag);
        try
        {
            string compression = "none";
            long storedBytes = length;
            var blob = _r.Codec is null ? null : ZeroData.Compress(_r.Codec, _r.Level, length);
            if (blob is not null && blob.Length < length)
            {
                staged.Stream.Write(blob);
                compression = _r.Codec!.Name;
                storedBytes = blob.Length;
            }
            else
            {
                staged.WriteZeros(length);
                storedBytes = 0;
            }
            return new Staged(staged, start, length, compression, ZeroData.Md5Hex(length), storedBytes);
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    private void WriteZeroHashes(HashFile hashes, long start, long end, long volumeLength)
    {
        var first = start / _block;
        var last = (end + _block - 1) / _block; // exclusive
        var full = ZeroData.Sha256(_block);
        var batch = new byte[Math.Min(4096, last - first) * HashFile.HashSize];
        for (var i = first; i < last;)
        {
            var n = (int)Math.Min(batch.Length / HashFile.HashSize, last - i);
            for (var k = 0; k < n; k++)
            {
                var blockEnd = Math.Min((i + k + 1) * _block, volumeLength);
                var digest = blockEnd - (i + k) * _block == _block ? full : ZeroData.Sha256(blockEnd - (i + k) * _block);
                digest.CopyTo(batch, k * HashFile.HashSize);
            }
            hashes.Write(i, batch.AsSpan(0, n * HashFile.HashSize));
            i += n;
        }
    }

    /// <summary>
    /// Pass one of an incremental cell: hash every block (holes without reading) into the new list and compare
    /// with the parent's; returns the runs of changed blocks, which never cross the cell (Cinder's rule).
    /// </summary>
    private List<(long Start, long End)> ChangedExtents(SourceVolume source, HashFile hashes, long start, long end, CancellationToken cancel)
    {
        var parent = _r.ParentHashes!;
        var extents = new List<(long, long)>();
        long? runStart = null;
        var buffer = ArrayPool<byte>.Shared.Rent(_piece);
        var blocksPerPiece = (int)(_piece / _block);
        var mine = new byte[blocksPerPiece * HashFile.HashSize];
        var theirs = new byte[blocksPerPiece * HashFile.HashSize];
        try
        {
            foreach (var (rs, re, hole) in source.Runs(start, end, _block))
            {
                for (var pos = rs; pos < re; pos += _piece)
                {
                    cancel.ThrowIfCancellationRequested();
                    var len = (int)Math.Min(_piece, re - pos);
                    var n = (int)((len + _block - 1) / _block);
                    var span = buffer.AsSpan(0, len);
                    if (hole)
                    {
                        span.Clear();
                    }
                    else
                    {
                        source.Read(span, pos);
                        _r.Throttle?.Consume(len);
                    }
                    HashBlocks(span, mine.AsSpan(0, n * HashFile.HashSize), hole);
                    var firstBlock = pos / _block;
                    hashes.Write(firstBlock, mine.AsSpan(0, n * HashFile.HashSize));
                    parent.Read(firstBlock, theirs.AsSpan(0, n * HashFile.HashSize));
                    for (var k = 0; k < n; k++)
                    {
                        var same = mine.AsSpan(k * HashFile.HashSize, HashFile.HashSize).SequenceEqual(theirs.AsSpan(k * HashFile.HashSize, HashFile.HashSize));
                        var blockStart = pos + k * _block;
                        if (!same && runStart is null)
                        {
                            runStart = blockStart;
                        }
                        else if (same && runStart is long s)
                        {
                            extents.Add((s, blockStart));
                            runStart = null;
                        }
                    }
                }
            }
            if (runStart is long open)
            {
                extents.Add((open, end));
            }
            return extents;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>SHA-256 of each block of <paramref name="data"/>; zero blocks get the constant.</summary>
    private void HashBlocks(ReadOnlySpan<byte> data, Span<byte> digests, bool knownZero)
    {
        var full = ZeroData.Sha256(_block);
        for (int off = 0, k = 0; off < data.Length; off += (int)_block, k++)
        {
            var block = data.Slice(off, (int)Math.Min(_block, data.Length - off));
            var target = digests.Slice(k * HashFile.HashSize, HashFile.HashSize);
            if (knownZero || ZeroData.IsZero(block))
            {
                (block.Length == _block ? full : ZeroData.Sha256(block.Length)).CopyTo(target);
            }
            else
            {
                SHA256.HashData(block, target);
            }
        }
    }

    /// <summary>
    /// Streams [start, end) of the source into one object: MD5 of the uncompressed data, compression, and (for
    /// full backups) the blocks' SHA-256. Objects whose first piece will not compress are stored raw at once;
    /// an object that did not shrink is rewritten raw and recorded as "none", as Cinder does.
    /// </summary>
    private Staged DataObject(SourceVolume source, HashFile hashes, long start, long end, bool hash, CancellationToken cancel)
    {
        var length = end - start;
        var buffer = ArrayPool<byte>.Shared.Rent(_piece);
        var blocksPerPiece = (int)(_piece / _block);
        var digests = hash ? new byte[blocksPerPiece * HashFile.HashSize] : Array.Empty<byte>();
        var codec = _r.Codec;
        IStagedObject? staged = null;
        try
        {
            // A sample of the first piece decides whether compressing is worth trying at all.
            var firstLen = (int)Math.Min(_piece, length);
            source.Read(buffer.AsSpan(0, firstLen), start);
            if (codec is not null && Hopeless(codec, buffer.AsSpan(0, firstLen)))
            {
                codec = null;
            }
            staged = _r.Store.Stage(_r.Container, _r.StageTag);
            var counter = new CountingStream(staged.Stream);
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            var sink = codec is null ? counter : codec.Compress(counter, length, _r.Level);
            try
            {
                for (var pos = start; pos < end; pos += _piece)
                {
                    cancel.ThrowIfCancellationRequested();
                    var len = (int)Math.Min(_piece, end - pos);
                    var span = buffer.AsSpan(0, len);
                    if (pos != start)
                    {
                        source.Read(span, pos);
                    }
                    _r.Throttle?.Consume(len);
                    if (hash)
                    {
                        var n = (len + (int)_block - 1) / (int)_block;
                        HashBlocks(span, digests.AsSpan(0, n * HashFile.HashSize), knownZero: false);
                        hashes.Write(pos / _block, digests.AsSpan(0, n * HashFile.HashSize));
                    }
                    md5.AppendData(span);
                    sink.Write(span);
                }
            }
            finally
            {
                if (!ReferenceEquals(sink, counter))
                {
                    sink.Dispose();
                }
            }
            var md5Hex = Hex.Lower(md5.GetHashAndReset());
            if (codec is not null && counter.Count >= length)
            {
                // Compression did not help: store the raw bytes instead (Cinder records "none").
                staged.Dispose();
                staged = _r.Store.Stage(_r.Container, _r.StageTag);
                for (var pos = start; pos < end; pos += _piece)
                {
                    cancel.ThrowIfCancellationRequested();
                    var len = (int)Math.Min(_piece, end - pos);
                    source.Read(buffer.AsSpan(0, len), pos);
                    staged.Stream.Write(buffer, 0, len);
                }
                return new Staged(staged, start, length, "none", md5Hex, length);
            }
            return new Staged(staged, start, length, codec?.Name ?? "none", md5Hex, counter.Count);
        }
        catch
        {
            staged?.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>True when a quick compression of the sample saves less than 2 %: random or already compressed data.</summary>
    private bool Hopeless(ICodec codec, ReadOnlySpan<byte> sample)
    {
        if (sample.Length < 64 * 1024 || ZeroData.IsZero(sample))
        {
            return false;
        }
        var probe = sample[..Math.Min(sample.Length, 256 * 1024)];
        var counter = new CountingStream(Stream.Null);
        using (var z = codec.Compress(counter, probe.Length, _r.Level))
        {
            z.Write(probe);
        }
        return counter.Count >= probe.Length * 98 / 100;
    }
}
