using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Native.Ceph;
using CinderBackup.Engine.Volumes;

namespace CinderBackup.Engine.Backup;

/// <summary>
/// The RBD side of a <see cref="SourceVolume"/>: one snapshot of an image, opened read only on its own connection
/// (reads from several workers at once), its allocated extents, and the extents changed since an earlier snapshot
/// (rbd_diff_iterate2), which is what lets an incremental read only what changed. The changes are asked for one
/// window of the image at a time and only the last few windows are kept, so memory does not grow with the image.
/// </summary>
internal sealed class RbdSource : IDisposable
{
    private readonly RadosCluster _cluster;
    private readonly RadosPool _pool;
    private readonly RbdImage _image;
    private readonly string? _diffFrom;
    private readonly long _block;
    private readonly Dictionary<long, List<(long Start, long End)>> _windows = new();
    private readonly Queue<long> _windowOrder = new();

    /// <summary>Windows of changes kept at once: the workers' pieces lie close together, within one or two of them.</summary>
    private const int WindowsKept = 4;

    private RbdSource(RadosCluster cluster, RadosPool pool, RbdImage image, string? diffFrom, long block)
    {
        _cluster = cluster;
        _pool = pool;
        _image = image;
        _diffFrom = diffFrom;
        _block = block;
        Length = image.Size;
    }

    public long Length { get; }

    /// <summary>True when the changes since the parent's snapshot are known (<see cref="ChangedIn"/>); false: read and compare every block.</summary>
    public bool KnowsChanges { get; private set; }

    /// <param name="diffFrom">The parent backup's snapshot of the same image, or null for no diff.</param>
    public static RbdSource Open(RbdAccess access, RbdLocation at, string? diffFrom, long block)
    {
        var (cluster, pool) = access.OpenPool(at.Pool);
        try
        {
            RbdImage image;
            try
            {
                image = pool.OpenImage(at.Image, at.Snapshot, readOnly: true);
            }
            catch (CephException e)
            {
                throw new CinderBackupException(ErrorIds.VolumeIOError, e.NotFound ? ErrorKind.NotFound : ErrorKind.IOError,
                    $"Cannot read RBD image '{at}': {e.Message}.", at.ToString(), e);
            }
            var source = new RbdSource(cluster, pool, image, diffFrom, block);
            if (diffFrom is not null && source.Length > 0)
            {
                try
                {
                    image.Diff(diffFrom, 0, Math.Min(source.Length, block), (_, _, _) => { }); // is the parent's snapshot there?
                    source.KnowsChanges = true;
                }
                catch (CephException e) when (e.NotFound)
                {
                    // The parent's snapshot went meanwhile: every block is read and compared.
                }
            }
            return source;
        }
        catch
        {
            pool.Dispose();
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; short only at the image's end.</summary>
    public int Read(Span<byte> buffer, long offset)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = _image.Read(offset + done, buffer[done..]);
            if (n <= 0)
            {
                break;
            }
            done += n;
        }
        return done;
    }

    /// <summary>The allocated extents within [start, end), in order.</summary>
    public IEnumerable<(long Start, long End)> Allocated(long start, long end) =>
        end <= start ? Array.Empty<(long, long)>() : _image.Diff(null, start, end - start).Where(x => x.Exists).Select(x => (x.Offset, x.Offset + x.Length));

    /// <summary>
    /// The changed extents (written or discarded) that overlap [start, end), rounded out to blocks and merged within a
    /// window, in order (adjacent ones from two windows stay two).
    /// </summary>
    public IReadOnlyList<(long Start, long End)> ChangedIn(long start, long end)
    {
        var window = Math.Max(_block, RbdImage.DiffWindowBytes / _block * _block); // whole blocks: a rounded extent stays in its window
        var result = new List<(long Start, long End)>();
        for (var w = start / window; w * window < end && w * window < Length; w++)
        {
            foreach (var e in Window(w, window))
            {
                if (e.End > start && e.Start < end)
                {
                    result.Add(e);
                }
            }
        }
        return result;
    }

    private List<(long Start, long End)> Window(long w, long window)
    {
        lock (_windows)
        {
            if (_windows.TryGetValue(w, out var known))
            {
                return known;
            }
        }
        var from = w * window;
        var raw = new List<(long Start, long End)>();
        _image.Diff(_diffFrom, from, Math.Min(window, Length - from),
            (offset, len, _) => raw.Add((offset / _block * _block, Math.Min(Length, (offset + len + _block - 1) / _block * _block))));
        var merged = Merge(raw);
        lock (_windows)
        {
            if (_windows.TryAdd(w, merged))
            {
                _windowOrder.Enqueue(w);
                if (_windowOrder.Count > WindowsKept)
                {
                    _windows.Remove(_windowOrder.Dequeue());
                }
            }
        }
        return merged;
    }

    /// <summary>Extents sorted and merged where they touch or overlap.</summary>
    internal static List<(long Start, long End)> Merge(List<(long Start, long End)> extents)
    {
        extents.Sort((a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<(long Start, long End)>();
        foreach (var (s, e) in extents)
        {
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

    public void Dispose()
    {
        _image.Dispose();
        _pool.Dispose();
        _cluster.Dispose();
    }
}
