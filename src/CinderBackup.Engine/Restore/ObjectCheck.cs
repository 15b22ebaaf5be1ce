using System.Security.Cryptography;
using CinderBackup.Engine.Codecs;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Pipeline;

namespace CinderBackup.Engine.Restore;

/// <summary>
/// Streams one stored object a piece at a time: decompresses it per its recorded algorithm, checks its length
/// and (through the runner) the MD5 of its uncompressed data, which Cinder records but never checks, and checks
/// the SHA-256 of every block in the requested ranges against a sha256 list before handing the block on. Bad
/// data is never passed on: every failure names the object and the offset.
/// </summary>
internal sealed class ObjectCheck : IPieceJob
{
    /// <summary>Receives verified data: volume offset, bytes, and whether they are all zero.</summary>
    public delegate void Sink(long offset, ReadOnlySpan<byte> data, bool zero);

    private readonly ChainLayer _layer;
    private readonly ObjectEntry _o;
    private readonly IReadOnlyList<(long Start, long End)> _ranges;
    private readonly HashFile _expected;
    private readonly long _block;
    private readonly Sink? _sink;
    private readonly IoThrottle? _throttle;
    private readonly Action<long>? _progress;
    private readonly byte[] _expectedDigests;
    private readonly byte[] _actual = new byte[HashFile.HashSize];
    private readonly string? _listOwner;
    private readonly HashFile? _own;
    private readonly byte[] _pieceDigests;
    private readonly byte[] _ownDigests;
    private Stream? _raw;
    private Stream? _data;
    private long _position;
    private int _rangeIndex;

    /// <param name="listOwner">The backup whose sha256 list <paramref name="expected"/> is (the one restored); null: the object's own.</param>
    /// <param name="ownList">Deep verify: the object's own backup's sha256 list, which every block is also checked against.</param>
    public ObjectCheck(ChainLayer layer, ObjectEntry o, IReadOnlyList<(long Start, long End)> ranges, HashFile expected, long block,
        int pieceSize, Sink? sink, IoThrottle? throttle, Action<long>? progress, string? listOwner = null, HashFile? ownList = null)
    {
        _own = ownList;
        _pieceDigests = ownList is null ? Array.Empty<byte>() : new byte[(pieceSize / block + 1) * HashFile.HashSize];
        _ownDigests = ownList is null ? Array.Empty<byte>() : new byte[(pieceSize / block + 1) * HashFile.HashSize];
        _listOwner = listOwner is null || string.Equals(listOwner, layer.BackupId, StringComparison.OrdinalIgnoreCase) ? null : listOwner;
        _layer = layer;
        _o = o;
        _ranges = ranges;
        _expected = expected;
        _block = block;
        _sink = sink;
        _throttle = throttle;
        _progress = progress;
        _position = o.Offset;
        _expectedDigests = new byte[(pieceSize / block + 1) * HashFile.HashSize];
    }

    public Piece Next(Span<byte> buffer, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        if (_data is null)
        {
            Open();
        }
        var want = (int)Math.Min(buffer.Length, _o.End - _position);
        var n = Read(buffer[..want]);
        if (n < want)
        {
            // A short read is the end of the stream: the object stops before its recorded length.
            throw Corrupt(_layer, _o, _position + n, $"it is truncated: {_position + n - _o.Offset} of {_o.Length} bytes");
        }
        var last = _position + n == _o.End;
        if (last && Read(stackalloc byte[1]) > 0)
        {
            throw Corrupt(_layer, _o, _o.End, $"it holds more than the {_o.Length} bytes its metadata records");
        }
        _throttle?.Consume(n);
        var span = buffer[..n];
        var pieceStart = _position;
        var pieceEnd = _position + n;
        if (_own is not null)
        {
            CheckOwn(span, pieceStart);
        }
        while (_rangeIndex < _ranges.Count && _ranges[_rangeIndex].End <= pieceStart)
        {
            _rangeIndex++;
        }
        for (var r = _rangeIndex; r < _ranges.Count && _ranges[r].Start < pieceEnd; r++)
        {
            var s = Math.Max(_ranges[r].Start, pieceStart);
            var e = Math.Min(_ranges[r].End, pieceEnd);
            CheckBlocks(span.Slice((int)(s - pieceStart), (int)(e - s)), s,
                _own is null ? default : _pieceDigests.AsSpan((int)((s - pieceStart) / _block * HashFile.HashSize)));
        }
        _position = pieceEnd;
        _progress?.Invoke(n);
        return new Piece(n, ZeroData.IsZero(span), last);
    }

    /// <summary>Called when the object has been checked completely.</summary>
    public Action? Checked { get; init; }

    public void Complete(string md5Hex)
    {
        if (_o.Md5.Length > 0 && !string.Equals(md5Hex, _o.Md5, StringComparison.OrdinalIgnoreCase))
        {
            throw Corrupt(_layer, _o, _o.Offset, $"its MD5 is {md5Hex}, the metadata records {_o.Md5}");
        }
        Checked?.Invoke();
    }

    private void Open()
    {
        ICodec? codec;
        try
        {
            codec = CodecRegistry.Get(_o.Compression);
        }
        catch (CinderBackupException e)
        {
            throw Corrupt(_layer, _o, _o.Offset, e.Message, e);
        }
        try
        {
            _raw = _layer.Objects.OpenRead(_layer.Container, _o.Name);
        }
        catch (CinderBackupException e) when (e.ErrorId == ErrorIds.BackupObjectMissing)
        {
            throw Corrupt(_layer, _o, _o.Offset, "it is missing from the repository", e);
        }
        try
        {
            _data = codec is null ? _raw : codec.Decompress(_raw); // bz2 reads its header here
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ICSharpCode.SharpZipLib.SharpZipBaseException)
        {
            throw Corrupt(_layer, _o, _o.Offset, $"it cannot be decompressed with {_o.Compression}: {e.Message}", e);
        }
    }

    private int Read(Span<byte> buffer)
    {
        try
        {
            return _data!.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ICSharpCode.SharpZipLib.SharpZipBaseException)
        {
            throw Corrupt(_layer, _o, _position, $"it cannot be decompressed with {_o.Compression}: {e.Message}", e);
        }
    }

    /// <summary>Every block of a piece against the object's own backup's list; the digests are kept for <see cref="CheckBlocks"/>.</summary>
    private void CheckOwn(ReadOnlySpan<byte> data, long offset)
    {
        var first = offset / _block;
        var count = (int)((data.Length + _block - 1) / _block);
        if (first + count > _own!.Count)
        {
            throw Corrupt(_layer, _o, offset, $"it reaches block {first + count - 1}, past the {_own.Count} blocks of the backup's sha256 list");
        }
        _own.Read(first, _ownDigests.AsSpan(0, count * HashFile.HashSize));
        for (var k = 0; k < count; k++)
        {
            var blockData = data.Slice((int)(k * _block), (int)Math.Min(_block, data.Length - k * _block));
            var digest = _pieceDigests.AsSpan(k * HashFile.HashSize, HashFile.HashSize);
            if (ZeroData.IsZero(blockData))
            {
                ZeroData.Sha256(blockData.Length).CopyTo(digest);
            }
            else
            {
                SHA256.HashData(blockData, digest);
            }
            if (!digest.SequenceEqual(_ownDigests.AsSpan(k * HashFile.HashSize, HashFile.HashSize)))
            {
                throw Corrupt(_layer, _o, offset + k * _block,
                    $"block {first + k} does not match the SHA-256 in the backup's sha256 list (expected {Hex.Lower(_ownDigests.AsSpan(k * HashFile.HashSize, HashFile.HashSize))}, got {Hex.Lower(digest)})");
            }
        }
    }

    /// <param name="computed">The blocks' digests when <see cref="CheckOwn"/> computed them already; empty: compute here.</param>
    private void CheckBlocks(ReadOnlySpan<byte> data, long offset, ReadOnlySpan<byte> computed = default)
    {
        var first = offset / _block;
        var count = (int)((data.Length + _block - 1) / _block);
        if (first + count > _expected.Count)
        {
            throw Corrupt(_layer, _o, offset, $"it reaches block {first + count - 1}, past the {_expected.Count} blocks of the backup's sha256 list");
        }
        _expected.Read(first, _expectedDigests.AsSpan(0, count * HashFile.HashSize));
        var runStart = 0;
        bool? runZero = null;
        for (var k = 0; k < count; k++)
        {
            var blockData = data.Slice((int)(k * _block), (int)Math.Min(_block, data.Length - k * _block));
            var zero = ZeroData.IsZero(blockData);
            if (!computed.IsEmpty)
            {
                computed.Slice(k * HashFile.HashSize, HashFile.HashSize).CopyTo(_actual);
            }
            else if (zero)
            {
                ZeroData.Sha256(blockData.Length).CopyTo(_actual, 0);
            }
            else
            {
                SHA256.HashData(blockData, _actual);
            }
            if (!_actual.AsSpan().SequenceEqual(_expectedDigests.AsSpan(k * HashFile.HashSize, HashFile.HashSize)))
            {
                var expectedHex = Hex.Lower(_expectedDigests.AsSpan(k * HashFile.HashSize, HashFile.HashSize));
                throw Corrupt(_layer, _o, offset + k * _block, _listOwner is null
                    ? $"block {first + k} does not match the SHA-256 in the backup's sha256 list (expected {expectedHex}, got {Hex.Lower(_actual)})"
                    : $"block {first + k} does not match the SHA-256 that backup {_listOwner}'s sha256 list records for it (expected {expectedHex}, got {Hex.Lower(_actual)}), so this chain cannot restore backup {_listOwner}");
            }
            if (runZero is bool z && z != zero)
            {
                _sink?.Invoke(offset + runStart * _block, data.Slice((int)(runStart * _block), (int)(k * _block - runStart * _block)), z);
                runStart = k;
            }
            runZero = zero;
        }
        if (runZero is bool lastRun)
        {
            _sink?.Invoke(offset + runStart * _block, data[(int)(runStart * _block)..], lastRun);
        }
    }

    public void Dispose()
    {
        if (!ReferenceEquals(_data, _raw))
        {
            _data?.Dispose();
        }
        _raw?.Dispose();
        _data = null;
        _raw = null;
    }

    public static CinderBackupException Corrupt(ChainLayer layer, ObjectEntry o, long offset, string what, Exception? inner = null) =>
        new(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
            $"Backup {layer.BackupId}: object '{o.Name}' at volume offset {offset}: {what}.", o.Name, inner);
}
