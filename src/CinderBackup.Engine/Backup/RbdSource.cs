using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Native.Ceph;
using CinderBackup.Engine.Volumes;

namespace CinderBackup.Engine.Backup;

/// <summary>
/// The RBD side of a <see cref="SourceVolume"/>: one snapshot of an image, opened read only on its own connection
/// (reads from several workers at once), its allocated extents, and the extents changed since an earlier snapshot
/// (rbd_diff_iterate2), which is what lets an incremental read only what changed.
/// </summary>
internal sealed class RbdSource : IDisposable
{
    private readonly RadosCluster _cluster;
    private readonly RadosPool _pool;
    private readonly RbdImage _image;

    private RbdSource(RadosCluster cluster, RadosPool pool, RbdImage image)
    {
        _cluster = cluster;
        _pool = pool;
        _image = image;
        Length = image.Size;
    }

    public long Length { get; }

    public IReadOnlyList<(long Start, long End)>? Changed { get; private set; }

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
            var source = new RbdSource(cluster, pool, image);
            if (diffFrom is not null)
            {
                try
                {
                    source.Changed = Round(image.Diff(diffFrom, 0, source.Length), block, source.Length);
                }
                catch (CephException e) when (e.NotFound)
                {
                    source.Changed = null; // the parent's snapshot went meanwhile: every block is read and compared
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

    /// <summary>Changed extents (written or discarded) rounded out to blocks and merged.</summary>
    private static List<(long Start, long End)> Round(IEnumerable<(long Offset, long Length, bool Exists)> extents, long block, long length)
    {
        var merged = new List<(long Start, long End)>();
        foreach (var (offset, len, _) in extents.OrderBy(x => x.Offset))
        {
            var s = offset / block * block;
            var e = Math.Min(length, (offset + len + block - 1) / block * block);
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
