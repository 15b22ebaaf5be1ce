namespace CinderBackup.Engine.Repositories.Ceph;

/// <summary>
/// An image's allocated extents (from rbd_diff_iterate2), sorted and merged, asked "does [start, end) touch one?" by
/// binary search: a huge sparse image has millions of extents and pieces, and a scan per piece was quadratic.
/// </summary>
internal sealed class CephExtents
{
    private readonly long[] _starts;
    private readonly long[] _ends;

    public CephExtents(IEnumerable<(long Offset, long Length)> extents)
    {
        var starts = new List<long>();
        var ends = new List<long>();
        foreach (var (offset, length) in extents.Where(e => e.Length > 0).OrderBy(e => e.Offset))
        {
            if (ends.Count > 0 && offset <= ends[^1])
            {
                ends[^1] = Math.Max(ends[^1], offset + length);
                continue;
            }
            starts.Add(offset);
            ends.Add(offset + length);
        }
        _starts = starts.ToArray();
        _ends = ends.ToArray();
    }

    public int Count => _starts.Length;

    /// <summary>Whether any extent overlaps [start, end).</summary>
    public bool Overlaps(long start, long end)
    {
        // The first extent ending after start (ends ascend: the extents are disjoint and sorted); it overlaps when it begins before end.
        int lo = 0, hi = _ends.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_ends[mid] <= start)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo < _starts.Length && _starts[lo] < end && start < end;
    }
}
