using CinderBackup.Engine.Native.Ceph;

namespace CinderBackup.Engine.Repositories.Ceph;

/// <summary>
/// Our per-block SHA-256 list of a Ceph backup, stored as RADOS objects of at most <see cref="PartBytes"/> each: the
/// first is <c>backup.&lt;bid&gt;.sha256file</c> (all a list ever was before parts), the next ones
/// <c>backup.&lt;bid&gt;.sha256file.1</c>, <c>.2</c>, ... A RADOS object cannot exceed osd_max_object_size (128 MiB by
/// default) and a list takes ~2.3 MB per GiB, so one object would fail every backup of a volume over ~56 GiB. Parts are
/// consecutive: a reader stops at the first missing one (a lost tail fails the list's recorded SHA-256 and its JSON).
/// </summary>
internal static class CephHashList
{
    /// <summary>The most one part holds: half the default osd_max_object_size. Tests set it small to force several parts.</summary>
    internal static long PartBytes { get; set; } = 64L << 20;

    /// <summary>The RADOS object of part <paramref name="part"/> (0: the list's own name).</summary>
    public static string Part(string backupId, int part) => part == 0 ? CephNames.Hashes(backupId) : $"{CephNames.Hashes(backupId)}.{part}";

    public static bool Exists(RadosPool pool, string backupId) => pool.ObjectSize(Part(backupId, 0)) is not null;

    /// <summary>A new list, part by part (each part replaces what was there; parts left from an earlier attempt are removed at the end).</summary>
    public static Stream Create(RadosPool pool, string backupId) => new Writer(pool, backupId, PartBytes);

    /// <summary>The list's parts read as one stream.</summary>
    public static Stream OpenRead(RadosPool pool, string backupId) => new Reader(pool, backupId);

    /// <summary>Removes every part, the last first (an interrupted delete leaves a prefix, which the next one finds); the number removed.</summary>
    public static int Remove(RadosPool pool, string backupId)
    {
        var parts = 1;
        while (pool.ObjectSize(Part(backupId, parts)) is not null)
        {
            parts++;
        }
        var removed = 0;
        for (var part = parts - 1; part >= 0; part--)
        {
            removed += pool.RemoveObject(Part(backupId, part)) ? 1 : 0;
        }
        return removed;
    }

    /// <summary>Writes through one <see cref="RadosObjectStream"/> per part, opening the next when a part is full.</summary>
    private sealed class Writer : Stream
    {
        private readonly RadosPool _pool;
        private readonly string _backupId;
        private readonly long _partBytes;
        private RadosObjectStream _current;
        private int _part;
        private long _inPart;
        private long _position;
        private bool _finished;

        public Writer(RadosPool pool, string backupId, long partBytes)
        {
            _pool = pool;
            _backupId = backupId;
            _partBytes = Math.Max(1, partBytes);
            _current = RadosObjectStream.Create(pool, Part(backupId, 0));
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> data)
        {
            while (data.Length > 0)
            {
                if (_inPart == _partBytes)
                {
                    _current.Dispose(); // writes what it holds
                    _part++;
                    _inPart = 0;
                    _current = RadosObjectStream.Create(_pool, Part(_backupId, _part));
                }
                var n = (int)Math.Min(data.Length, _partBytes - _inPart);
                _current.Write(data[..n]);
                _inPart += n;
                _position += n;
                data = data[n..];
            }
        }

        public override void Flush() => _current.Flush();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_finished)
            {
                _finished = true;
                _current.Dispose(); // an empty list still writes its (empty) first part
                // Parts past the last one written belong to an earlier, longer attempt: a reader would run on into them.
                for (var stale = _part + 1; _pool.RemoveObject(Part(_backupId, stale)); stale++)
                {
                }
            }
            base.Dispose(disposing);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>Reads the parts one after another, each through a <see cref="RadosObjectStream"/>.</summary>
    private sealed class Reader : Stream
    {
        private readonly RadosPool _pool;
        private readonly string _backupId;
        private RadosObjectStream? _current;
        private int _part;
        private long _position;

        public Reader(RadosPool pool, string backupId)
        {
            _pool = pool;
            _backupId = backupId;
            _current = RadosObjectStream.OpenRead(pool, Part(backupId, 0));
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_current is not null && buffer.Length > 0)
            {
                var n = _current.Read(buffer);
                if (n > 0)
                {
                    _position += n;
                    return n;
                }
                // The end of this part: the list goes on in the next one when it is there.
                _current.Dispose();
                _current = _pool.ObjectSize(Part(_backupId, _part + 1)) is null ? null : RadosObjectStream.OpenRead(_pool, Part(_backupId, ++_part));
            }
            return 0;
        }

        public override void Flush()
        {
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _current?.Dispose();
            }
            base.Dispose(disposing);
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
