using System.Buffers;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Repositories;

using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Transfer;

/// <summary>
/// Writes one backup in Cinder's chunked format. The volume is cut into cells on the object-size grid (as
/// Cinder's read loop does). Full backups store one object per data run and one per hole (holes are never
/// read: their SHA-256, MD5 and stored form are constants); data objects stream through a
/// <see cref="PieceRunner"/>, many at once, so their MD5s are computed together. Incremental backups compare
/// cells with the parent's list in parallel and store each run of changed blocks. Objects are published in
/// offset order, so names (<c>-00001</c>, ...) are sequential; the <c>_sha256file</c> and then the
/// <c>_metadata</c> are written last, after every object is durable.
/// </summary>
internal sealed class BackupWriter
{
    /// <summary>Objects (mostly holes, which hold nothing while they wait) issued ahead of the oldest unpublished one.</summary>
    private const int MaxQueuedHoles = 4096;
    private readonly BackupWriteRequest _r;
    private readonly long _block;
    private readonly int _piece;

    public BackupWriter(BackupWriteRequest request)
    {
        _r = request;
        _block = request.ShaBlockSize;
        _piece = PieceRunner.Piece(_block);
    }

    public BackupWriteResult Run()
    {
        var store = _r.Store;
        store.PutContainer(_r.Container);
        using var source = SourceVolume.Open(_r.SourcePath, "the volume");
        var length = source.Length;
        var blocks = (length + _block - 1) / _block;
        if (_r.ParentHashes is { } parent && parent.Count < blocks)
        {
            throw new CinderBackupException(ErrorIds.InvalidBackup, ErrorKind.InvalidState,
                $"Invalid backup: the volume has {blocks} hash blocks but its parent backup only {parent.Count}; the volume grew. Do a full backup.", _r.Header.BackupId);
        }

        using var hashes = HashFile.Create(_r.TempDirectory);
        hashes.Count = blocks;
        var entries = new List<ObjectEntry>();
        long stored = 0, changed = 0;
        void Publish(StagedObject o)
        {
            var name = $"{_r.Prefix}-{entries.Count + 1:00000}";
            FaultPoints.Hit("backup.object.staged");
            o.Object.Commit(name);
            FaultPoints.Hit("backup.object.committed");
            o.Object.Dispose();
            entries.Add(new ObjectEntry(name, o.Offset, o.Length, o.Compression, o.Md5));
            stored += o.StoredBytes;
            changed += o.Length;
        }
        _r.Progress?.Report(new TransferProgress(0, length, 0, 0));
        try
        {
            if (_r.ParentHashes is null)
            {
                RunFull(source, hashes, Publish, scanned => _r.Progress?.Report(new TransferProgress(scanned, length, entries.Count, stored)));
            }
            else
            {
                RunIncremental(source, hashes, Publish, scanned => _r.Progress?.Report(new TransferProgress(scanned, length, entries.Count, stored)));
            }
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

    /// <summary>
    /// Full backup: the volume's data and hole runs, cell by cell, in offset order. Holes' hashes are written at
    /// once and their objects made when their turn comes; data objects stream through a <see cref="PieceRunner"/>
    /// many at a time. Everything is published in order.
    /// </summary>
    private void RunFull(SourceVolume source, HashFile hashes, Action<StagedObject> publish, Action<long> progress)
    {
        using var runs = Runs(source).GetEnumerator();
        // Done objects by sequence number: a StagedObject, or a hole (start, end) whose object is made only when
        // its turn comes, so holes queued behind a slow data object hold no file. Data objects waiting to be
        // published are bounded by the slots; queued holes by MaxQueuedHoles. Counting holes in the data window
        // would starve a sparse volume of objects in flight.
        var ready = new Dictionary<int, object>();
        int issued = 0, published = 0, waiting = 0;
        var slots = _r.ObjectsInFlight;
        // Progress counts data as it is read and holes as they are issued, so it moves while many objects are in
        // flight (publishing in order can hold everything back until the slowest finishes).
        long dataRead = 0, holeBytes = 0;
        bool Full() => waiting >= 2 * slots || issued - published >= MaxQueuedHoles;
        try
        {
            IPieceJob? Next()
            {
                while (true)
                {
                    // Null here means the end, or a full window.
                    if (Full())
                    {
                        Publish();
                        if (Full())
                        {
                            return null;
                        }
                    }
                    if (!runs.MoveNext())
                    {
                        return null;
                    }
                    var (start, end, hole) = runs.Current;
                    var seq = issued++;
                    if (hole)
                    {
                        WriteZeroHashes(hashes, start, end, source.Length);
                        ready[seq] = (start, end);
                        holeBytes += end - start;
                        continue;
                    }
                    return new ObjectWriteJob(_r, source, hashes, start, end, _piece, o =>
                    {
                        ready[seq] = o;
                        waiting++;
                    })
                    {
                        Read = n => Interlocked.Add(ref dataRead, n),
                    };
                }
            }
            void Publish()
            {
                CheckCancel();
                while (ready.Remove(published, out var item))
                {
                    StagedObject o;
                    if (item is StagedObject data)
                    {
                        o = data;
                        waiting--;
                    }
                    else
                    {
                        var (start, end) = ((long, long))item;
                        o = HoleObject(start, end);
                    }
                    publish(o);
                    published++;
                }
                progress(Math.Min(source.Length, Interlocked.Read(ref dataRead) + holeBytes));
            }
            new PieceRunner(slots, _r.Workers, _piece).Run(Next, Publish, _r.Cancel);
        }
        finally
        {
            foreach (var o in ready.Values.OfType<StagedObject>())
            {
                o.Object.Dispose();
            }
        }
    }

    /// <summary>Data and hole runs of every cell of the object-size grid, in order.</summary>
    private IEnumerable<(long Start, long End, bool Hole)> Runs(SourceVolume source)
    {
        for (long start = 0; start < source.Length; start += _r.ObjectSize)
        {
            foreach (var run in source.Runs(start, Math.Min(source.Length, start + _r.ObjectSize), _block))
            {
                yield return run;
            }
        }
    }

    /// <summary>
    /// Incremental backup: cells are compared with the parent in parallel (every block hashed, holes without
    /// reading) and each run of changed blocks is stored; the cells' objects are published in order.
    /// </summary>
    private void RunIncremental(SourceVolume source, HashFile hashes, Action<StagedObject> publish, Action<long> progress)
    {
        var cells = (int)((source.Length + _r.ObjectSize - 1) / _r.ObjectSize);
        OrderedParallel.Run(cells, _r.Workers, _r.Workers * 2,
            (cell, cancel) => ProcessCell(source, hashes, cell, cancel),
            (cell, objects) =>
            {
                CheckCancel();
                foreach (var o in objects)
                {
                    publish(o);
                }
                progress(Math.Min(source.Length, (long)(cell + 1) * _r.ObjectSize));
            },
            objects => objects.ForEach(o => o.Object.Dispose()),
            _r.Cancel);
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

    private List<StagedObject> ProcessCell(SourceVolume source, HashFile hashes, int cell, CancellationToken cancel)
    {
        var start = (long)cell * _r.ObjectSize;
        var end = Math.Min(source.Length, start + _r.ObjectSize);
        var made = new List<StagedObject>();
        byte[]? buffer = null; // most cells have no changes
        try
        {
            foreach (var (s, e) in ChangedExtents(source, hashes, start, end, cancel))
            {
                using var job = new ObjectWriteJob(_r, source, hashes: null, s, e, _piece, made.Add);
                PieceRunner.RunAlone(job, buffer ??= new byte[_piece], cancel);
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
    private StagedObject HoleObject(long start, long end)
    {
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
            return new StagedObject(staged, start, length, compression, ZeroData.Md5Hex(length), storedBytes);
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
        var run = ZeroData.Sha256Run(_block); // 4096 copies of a whole zero block's digest
        for (var i = first; i < last;)
        {
            var n = (int)Math.Min(run.Length / HashFile.HashSize, last - i);
            var lastEnd = Math.Min((i + n) * _block, volumeLength);
            if (lastEnd - (i + n - 1) * _block == _block)
            {
                hashes.Write(i, run.AsSpan(0, n * HashFile.HashSize));
            }
            else
            {
                // The volume's last block is short: its digest is that of fewer zeros.
                hashes.Write(i, run.AsSpan(0, (n - 1) * HashFile.HashSize));
                hashes.Write(i + n - 1, ZeroData.Sha256(lastEnd - (i + n - 1) * _block));
            }
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
                    BlockHashes.Compute(span, _block, mine.AsSpan(0, n * HashFile.HashSize), hole);
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
}
