using System.Buffers;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.ObjectStores;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Backup;

/// <summary>
/// Writes one backup in Cinder's chunked format. The volume is cut into cells on the object-size grid (as
/// Cinder's read loop does). Full backups store one object per data run and one per hole (holes are never
/// read: their SHA-256, MD5 and stored form are constants, and holes of one length share one file where the
/// store has hard links); data objects stream through a <see cref="PieceRunner"/>, many at once, so their MD5s
/// are computed together, while a publisher thread commits them. Incremental backups compare cells with the
/// parent's list in parallel and store each run of changed blocks. Objects are published in offset order, so
/// names (<c>-00001</c>, ...) are sequential; the <c>_sha256file</c> (streamed as a full backup's objects are
/// published) and then the <c>_metadata</c> are committed last, after every object is durable.
/// </summary>
internal sealed class BackupWriter
{
    /// <summary>Objects (mostly holes, which hold nothing while they wait) issued ahead of the oldest unpublished one.</summary>
    private const int MaxQueuedHoles = 4096;
    private readonly BackupWriteRequest _r;
    private readonly IObjectStore _store;
    private readonly long _block;
    private readonly int _piece;
    private readonly List<ObjectEntry> _entries = new();
    /// <summary>The first hole object of each length, which later holes of that length are links to.</summary>
    private readonly Dictionary<long, ObjectEntry> _holeForms = new();
    private int _published; // _entries.Count, for progress on other threads
    private long _stored;
    private long _changed;
    // Progress is bytes done over bytes to do: the data the backup reads (holes cost nothing and are not counted),
    // plus, for an incremental, the changed runs it reads again to store them, added as they are found.
    private long _done;
    private long _todo;
    private readonly object _progressGate = new();

    public BackupWriter(BackupWriteRequest request)
    {
        _r = request;
        _store = request.Store ?? throw new ArgumentException("A backup write needs the store to write to.", nameof(request));
        _block = request.ShaBlockSize;
        _piece = PieceRunner.Piece(_block);
    }

    public BackupWriteResult Run()
    {
        var store = _store;
        store.PutContainer(_r.Container);
        using var source = SourceVolume.Open(_r);
        var length = source.Length;
        var blocks = (length + _block - 1) / _block;
        if (_r.ParentHashes is { } parent && parent.Count < blocks)
        {
            throw new CinderBackupException(ErrorIds.InvalidBackup, ErrorKind.InvalidState,
                $"Invalid backup: the volume has {blocks} hash blocks but its parent backup only {parent.Count}; the volume grew. Do a full backup.", _r.Header.BackupId);
        }

        using var hashes = HashFile.Create(_r.TempDirectory);
        hashes.Count = blocks;
        _todo = DataBytes(source);
        void Progress()
        {
            if (_r.Progress is { } sink)
            {
                lock (_progressGate) // reported from several workers during an incremental
                {
                    var todo = Interlocked.Read(ref _todo);
                    sink.Report(new TransferProgress(Math.Min(Interlocked.Read(ref _done), todo), todo, Volatile.Read(ref _published), Interlocked.Read(ref _stored)));
                }
            }
        }
        Progress();
        try
        {
            string sha256FileDigest, metadataDigest;
            string? volumeMeta;
            using (var staged = store.Stage(_r.Container, _r.StageTag))
            {
                using var digest = DigestStream.ForWriting(staged.Stream);
                var list = new Sha256DocumentWriter(digest, _r.Header, _block, blocks);
                if (_r.ParentHashes is null)
                {
                    RunFull(source, hashes, list, Progress);
                }
                else
                {
                    RunIncremental(source, hashes, Progress);
                }
                CheckCancel();
                volumeMeta = _r.VolumeMeta();
                store.WaitForWrites(); // every data object is stored before the documents (S3 uploads in the background)
                if (_r.ParentHashes is not null)
                {
                    list.AppendFrom(hashes, 0, blocks);
                }
                list.Finish();
                sha256FileDigest = digest.Finish();
                FaultPoints.Hit("backup.sha256file.staged");
                staged.Commit($"{_r.Prefix}_sha256file");
            }
            store.WaitForWrites();
            CheckCancel();
            using (var staged = store.Stage(_r.Container, _r.StageTag))
            {
                using var digest = DigestStream.ForWriting(staged.Stream);
                MetadataDocument.Write(digest, _r.Header, _entries, _r.ParentId, volumeMeta);
                metadataDigest = digest.Finish();
                FaultPoints.Hit("backup.metadata.staged");
                staged.Commit($"{_r.Prefix}_metadata");
            }
            store.WaitForWrites();
            FaultPoints.Hit("backup.metadata.committed");
            return new BackupWriteResult(_entries.Count, _stored, length, _changed)
            {
                MetadataSha256 = metadataDigest,
                Sha256FileSha256 = sha256FileDigest,
                BytesRead = _r.ParentHashes is not null && source.KnowsChanges ? source.BytesRead : null,
            };
        }
        catch
        {
            RemoveEverything(store, _r.Container, _r.Prefix, _r.StageTag);
            throw;
        }
    }

    /// <summary>
    /// Full backup: the volume's data and hole runs, cell by cell, in offset order. Data objects stream through a
    /// <see cref="PieceRunner"/> many at a time; a publisher thread commits everything in order (making each
    /// hole's object when its turn comes) and appends its digests to the sha256 list meanwhile, so neither waits
    /// for the other and the list is done when the last object is.
    /// </summary>
    private void RunFull(SourceVolume source, HashFile hashes, Sha256DocumentWriter list, Action progress)
    {
        using var runs = Runs(source).GetEnumerator();
        var slots = _r.ObjectsInFlight;
        long issued = 0;
        var inFlight = 0; // data objects being made (this thread only)
        var waiting = 0; // data objects made, holding a staging file until published
        // Progress counts data as it is read, so it moves while many objects are in flight (publishing in order can
        // hold everything back until the slowest finishes). Holes are not counted: they are issued far ahead of the
        // data and cost nothing, so counting them put a sparse volume's backup at 99 % after its first second.
        using var publisher = new InOrderWorker<object>("cinderbackup-publish", item =>
        {
            CheckCancel();
            if (item is StagedObject data)
            {
                Publish(data);
                Interlocked.Decrement(ref waiting);
                list.AppendFrom(hashes, data.Offset / _block, (data.Length + _block - 1) / _block);
            }
            else
            {
                var (start, end) = ((long, long))item;
                PublishHole(start, end);
                AppendHole(list, start, end, source.Length);
            }
        }, item => (item as StagedObject)?.Object.Dispose());
        // Data objects waiting to be published are bounded by the slots, queued holes (which hold nothing) by
        // MaxQueuedHoles. Counting holes in the data window would starve a sparse volume of objects in flight.
        // Judged on one reading of the publisher's count, which is then what is waited beyond: read twice, the
        // publisher could finish everything in between and the wait would never end.
        bool Full(long handled) => Volatile.Read(ref waiting) >= 2 * slots || issued - handled >= MaxQueuedHoles;
        IPieceJob? Next()
        {
            while (true)
            {
                for (var handled = publisher.Handled; Full(handled); handled = publisher.Handled)
                {
                    if (inFlight > 0)
                    {
                        return null; // the runner's next rounds finish objects; publishing catches up meanwhile
                    }
                    publisher.WaitBeyond(handled); // everything issued is ready: publishing makes room
                }
                if (!runs.MoveNext())
                {
                    return null;
                }
                var (start, end, hole) = runs.Current;
                var seq = issued++;
                if (hole)
                {
                    publisher.Add(seq, (start, end));
                    continue;
                }
                inFlight++;
                return new ObjectWriteJob(_store, _r, source, hashes, start, end, _piece, o =>
                {
                    inFlight--;
                    Interlocked.Increment(ref waiting);
                    publisher.Add(seq, o);
                })
                {
                    Read = n => Interlocked.Add(ref _done, n),
                };
            }
        }
        void AfterRound()
        {
            CheckCancel();
            publisher.ThrowIfFailed();
            progress();
        }
        new PieceRunner(slots, _r.Workers, _piece).Run(Next, AfterRound, _r.Cancel);
        publisher.Finish(issued);
    }

    /// <param name="reached">The fault point before the commit was passed already (a refused link).</param>
    private void Publish(StagedObject o, bool reached = false)
    {
        var name = NextName();
        try
        {
            if (!reached)
            {
                FaultPoints.Hit("backup.object.staged");
            }
            o.Object.Commit(name);
            FaultPoints.Hit("backup.object.committed");
        }
        finally
        {
            o.Object.Dispose();
        }
        Add(new ObjectEntry(name, o.Offset, o.Length, o.Compression, o.Md5), o.StoredBytes);
    }

    /// <summary>
    /// A hole's object. All holes of one length have the same stored form, so after the first each is a hard link
    /// to it where the store has them: the same bytes under every name (Cinder reads and deletes them as any
    /// other), and no new file, which is most of what a sparse volume's backup would otherwise cost. A refused
    /// link (no links there, or the file has the most it may) makes a file, which later holes link to.
    /// </summary>
    private void PublishHole(long start, long end)
    {
        var length = end - start;
        var reached = false;
        if (_holeForms.TryGetValue(length, out var form))
        {
            reached = true;
            var name = NextName();
            FaultPoints.Hit("backup.object.staged");
            if (_store.TryLink(_r.Container, form.Name, name))
            {
                FaultPoints.Hit("backup.object.committed");
                Add(form with { Name = name, Offset = start }, 0);
                return;
            }
        }
        Publish(HoleObject(start, end), reached);
        _holeForms[length] = _entries[^1];
    }

    private string NextName() => $"{_r.Prefix}-{_entries.Count + 1:00000}";

    private void Add(ObjectEntry entry, long storedBytes)
    {
        _entries.Add(entry);
        Volatile.Write(ref _published, _entries.Count);
        Interlocked.Add(ref _stored, storedBytes);
        _changed += entry.Length;
    }

    /// <summary>The sha256 list of a hole: the zero block's digest, and a shorter one for a short last block.</summary>
    private void AppendHole(Sha256DocumentWriter list, long start, long end, long volumeLength)
    {
        var blocks = (end - start + _block - 1) / _block;
        var tail = volumeLength % _block;
        if (end == volumeLength && tail != 0)
        {
            list.AppendZeroBlocks(blocks - 1);
            list.Append(ZeroData.Sha256(tail));
        }
        else
        {
            list.AppendZeroBlocks(blocks);
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
    private void RunIncremental(SourceVolume source, HashFile hashes, Action progress)
    {
        var cells = (int)((source.Length + _r.ObjectSize - 1) / _r.ObjectSize);
        OrderedParallel.Run(cells, _r.Workers, _r.Workers * 2,
            (cell, cancel) => ProcessCell(source, hashes, cell, progress, cancel),
            (cell, objects) =>
            {
                CheckCancel();
                foreach (var o in objects)
                {
                    Publish(o);
                }
                progress();
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

    /// <summary>The bytes of the volume that are not holes: what a backup of it reads.</summary>
    private long DataBytes(SourceVolume source) => Runs(source).Where(r => !r.Hole).Sum(r => r.End - r.Start);

    private List<StagedObject> ProcessCell(SourceVolume source, HashFile hashes, int cell, Action progress, CancellationToken cancel)
    {
        var start = (long)cell * _r.ObjectSize;
        var end = Math.Min(source.Length, start + _r.ObjectSize);
        var made = new List<StagedObject>();
        byte[]? buffer = null; // most cells have no changes
        try
        {
            var changed = ChangedExtents(source, hashes, start, end, progress, cancel);
            Interlocked.Add(ref _todo, changed.Sum(x => x.End - x.Start));
            foreach (var (s, e) in changed)
            {
                using var job = new ObjectWriteJob(_store, _r, source, hashes: null, s, e, _piece, made.Add)
                {
                    Read = n =>
                    {
                        Interlocked.Add(ref _done, n);
                        progress();
                    },
                };
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
        var staged = _store.Stage(_r.Container, _r.StageTag);
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

    /// <summary>
    /// One piece of an incremental from an RBD diff: blocks inside a changed extent are read and hashed; every other
    /// block is as in the parent's snapshot, so it takes the parent's hash unread.
    /// </summary>
    private void HashChangedOnly(SourceVolume source, IReadOnlyList<(long Start, long End)> changed, HashFile parent, Span<byte> span, long pos, byte[] mine)
    {
        var end = pos + span.Length;
        var at = pos;
        void FromParent(long from, long to)
        {
            var blocks = (int)((to - from + _block - 1) / _block);
            parent.Read(from / _block, mine.AsSpan((int)((from - pos) / _block) * HashFile.HashSize, blocks * HashFile.HashSize));
        }
        // The first extent ending after pos (the list is sorted and disjoint; it holds only those near this piece).
        int lo = 0, hi = changed.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (changed[mid].End <= pos)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        for (var i = lo; i < changed.Count && changed[i].Start < end; i++)
        {
            var s = Math.Max(pos, changed[i].Start);
            var e = Math.Min(end, changed[i].End);
            if (s > at)
            {
                FromParent(at, s);
            }
            var part = span[(int)(s - pos)..(int)(e - pos)];
            source.Read(part, s);
            _r.Throttle?.Consume(part.Length);
            var blocks = (int)((e - s + _block - 1) / _block);
            BlockHashes.Compute(part, _block, mine.AsSpan((int)((s - pos) / _block) * HashFile.HashSize, blocks * HashFile.HashSize), false);
            at = e;
        }
        if (at < end)
        {
            FromParent(at, end);
        }
    }

    /// <summary>
    /// Pass one of an incremental cell: hash every block (holes without reading) into the new list and compare
    /// with the parent's; returns the runs of changed blocks, which never cross the cell (Cinder's rule).
    /// </summary>
    private List<(long Start, long End)> ChangedExtents(SourceVolume source, HashFile hashes, long start, long end, Action progress, CancellationToken cancel)
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
                    var firstBlock = pos / _block;
                    if (hole)
                    {
                        span.Clear();
                        BlockHashes.Compute(span, _block, mine.AsSpan(0, n * HashFile.HashSize), hole);
                    }
                    else if (source.KnowsChanges)
                    {
                        HashChangedOnly(source, source.ChangedIn(pos, pos + len), parent, span, pos, mine);
                        Interlocked.Add(ref _done, len);
                        progress();
                    }
                    else
                    {
                        source.Read(span, pos);
                        _r.Throttle?.Consume(len);
                        Interlocked.Add(ref _done, len);
                        progress();
                        BlockHashes.Compute(span, _block, mine.AsSpan(0, n * HashFile.HashSize), hole);
                    }
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
