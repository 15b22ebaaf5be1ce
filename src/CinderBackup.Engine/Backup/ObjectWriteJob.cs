using CinderBackup.Engine.Codecs;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.ObjectStores;

namespace CinderBackup.Engine.Backup;

/// <summary>
/// Writes [start, end) of the source volume as one object, a piece at a time: reads it, hashes its blocks
/// (full backups: zero blocks get the constant), compresses it into a staging object. Data whose first piece
/// will not compress is stored raw at once; an object that did not shrink is rewritten raw and recorded as
/// "none", as Cinder does. The MD5 comes from whoever drives the job.
/// </summary>
internal sealed class ObjectWriteJob : IPieceJob
{
    private readonly BackupWriteRequest _r;
    private readonly SourceVolume _source;
    private readonly HashFile? _hashes;
    private readonly long _start;
    private readonly long _end;
    private readonly Action<StagedObject> _done;
    private readonly byte[] _digests;
    private ICodec? _codec;
    private IStagedObject? _staged;
    private readonly IObjectStore _store;
    private CountingStream? _counter;
    private Stream? _sink;
    private long _position;

    /// <param name="hashes">Where the blocks' SHA-256 go (full backups); null when they are known already.</param>
    public ObjectWriteJob(IObjectStore store, BackupWriteRequest request, SourceVolume source, HashFile? hashes, long start, long end, int pieceSize, Action<StagedObject> done)
    {
        _store = store;
        _r = request;
        _source = source;
        _hashes = hashes;
        _start = start;
        _end = end;
        _done = done;
        _codec = request.Codec;
        _position = start;
        _digests = hashes is null ? [] : new byte[(pieceSize / request.ShaBlockSize + 1) * HashFile.HashSize];
    }

    /// <summary>Told the length of every piece read, on the worker that read it (progress).</summary>
    public Action<long>? Read { get; init; }

    public Piece Next(Span<byte> buffer, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        var len = (int)Math.Min(buffer.Length, _end - _position);
        var span = buffer[..len];
        _source.Read(span, _position);
        _r.Throttle?.Consume(len);
        Read?.Invoke(len);
        if (_staged is null)
        {
            // A sample of the first piece decides whether compressing is worth trying at all.
            if (_codec is not null && Hopeless(span))
            {
                _codec = null;
            }
            _staged = _store.Stage(_r.Container, _r.StageTag);
            _counter = new CountingStream(_staged.Stream);
            _sink = _codec is null ? _counter : _codec.Compress(_counter, _end - _start, _r.Level);
        }
        // Only the runner of many objects skips MD5 over zeros; an incremental's object runs alone (RunAlone).
        var zero = _hashes is not null && BlockHashes.Write(span, _position, _r.ShaBlockSize, _hashes, _digests);
        _sink!.Write(span);
        _position += len;
        var last = _position == _end;
        if (last)
        {
            Finish();
        }
        return new Piece(len, zero, last);
    }

    private void Finish()
    {
        if (!ReferenceEquals(_sink, _counter))
        {
            _sink!.Dispose();
        }
        _sink = null;
        if (_codec is not null && _counter!.Count >= _end - _start)
        {
            // Compression did not help: store the raw bytes instead (Cinder records "none").
            _staged!.Dispose();
            _staged = _store.Stage(_r.Container, _r.StageTag);
            _counter = new CountingStream(_staged.Stream);
            _codec = null;
            var buffer = new byte[1 << 20];
            for (var pos = _start; pos < _end; pos += buffer.Length)
            {
                var len = (int)Math.Min(buffer.Length, _end - pos);
                _source.Read(buffer.AsSpan(0, len), pos);
                _counter.Write(buffer, 0, len);
            }
        }
    }

    public void Complete(string md5Hex)
    {
        var staged = _staged!;
        _staged = null; // the receiver owns it now, even if it fails to take it
        _done(new StagedObject(staged, _start, _end - _start, _codec?.Name ?? "none", md5Hex, _counter!.Count));
    }

    /// <summary>
    /// True when the first piece and samples spread over the rest of the object all look random (already
    /// compressed or encrypted data, judged by byte entropy): the object is then stored raw without trying. An
    /// object that only starts random is compressed (zstd passes random stretches quickly, zlib stores them),
    /// so mixed data keeps its ratio.
    /// </summary>
    private bool Hopeless(ReadOnlySpan<byte> first)
    {
        if (ZeroData.IsZero(first) || !Compressibility.IsHopeless(first))
        {
            return false;
        }
        const int Samples = 8;
        const int SampleSize = 16 * 1024;
        var length = _end - _start;
        if (length <= 2L * first.Length)
        {
            return true;
        }
        var sample = new byte[SampleSize];
        for (var i = 1; i <= Samples; i++)
        {
            var at = _start + first.Length + (length - first.Length - SampleSize) * i / Samples;
            _source.Read(sample, at);
            if (!Compressibility.IsHopeless(sample))
            {
                return false;
            }
        }
        return true;
    }

    public void Dispose()
    {
        if (_sink is not null && !ReferenceEquals(_sink, _counter))
        {
            try
            {
                _sink.Dispose();
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                // A compressor abandoned half way (failure or cancel) may complain; the object is discarded anyway.
            }
        }
        _sink = null;
        _staged?.Dispose();
        _staged = null;
    }
}
