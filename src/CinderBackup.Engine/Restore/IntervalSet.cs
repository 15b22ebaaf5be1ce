namespace CinderBackup.Engine.Restore;

/// <summary>Disjoint, sorted, merged [start, end) intervals of a volume.</summary>
internal sealed class IntervalSet
{
    private readonly List<(long Start, long End)> _items = new();

    public IReadOnlyList<(long Start, long End)> Items => _items;

    /// <summary>The parts of [start, end) not in the set.</summary>
    public List<(long Start, long End)> Uncovered(long start, long end)
    {
        var result = new List<(long, long)>();
        var cursor = start;
        for (var i = FirstEndingAfter(start); i < _items.Count && _items[i].Start < end; i++)
        {
            if (_items[i].Start > cursor)
            {
                result.Add((cursor, _items[i].Start));
            }
            cursor = Math.Max(cursor, _items[i].End);
            if (cursor >= end)
            {
                break;
            }
        }
        if (cursor < end)
        {
            result.Add((cursor, end));
        }
        return result;
    }

    public void Add(long start, long end)
    {
        if (end <= start)
        {
            return;
        }
        var i = FirstEndingAfter(start - 1); // also merges an interval ending exactly at start
        var j = i;
        while (j < _items.Count && _items[j].Start <= end)
        {
            start = Math.Min(start, _items[j].Start);
            end = Math.Max(end, _items[j].End);
            j++;
        }
        _items.RemoveRange(i, j - i);
        _items.Insert(i, (start, end));
    }

    /// <summary>Index of the first interval whose end is after <paramref name="position"/>.</summary>
    private int FirstEndingAfter(long position)
    {
        int lo = 0, hi = _items.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_items[mid].End <= position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
