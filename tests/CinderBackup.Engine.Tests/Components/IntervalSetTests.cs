using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.Restore;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// <see cref="IntervalSet"/> on its own: half-open [start, end) intervals kept disjoint, sorted and merged, and the
/// parts of a range the set does not cover. The restore plan rests on it: a wrong answer writes a block twice or never.
/// </summary>
public sealed class IntervalSetTests
{
    private static IntervalSet Of(params (long Start, long End)[] items)
    {
        var set = new IntervalSet();
        foreach (var (s, e) in items)
        {
            set.Add(s, e);
        }
        return set;
    }

    [Fact]
    public void AnEmptySetCoversNothing()
    {
        var set = new IntervalSet();
        Assert.Empty(set.Items);
        Assert.Equal(new[] { (0L, 10L) }, set.Uncovered(0, 10));
        Assert.Equal(new[] { (5L, 6L) }, set.Uncovered(5, 6));
    }

    [Fact]
    public void AnEmptyRangeHasNothingUncovered()
    {
        Assert.Empty(new IntervalSet().Uncovered(7, 7));
        Assert.Empty(Of((0, 10)).Uncovered(5, 5));
        Assert.Empty(Of((0, 10)).Uncovered(20, 20));
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(5, 4)]
    public void AddingAnEmptyOrReversedIntervalChangesNothing(long start, long end)
    {
        var set = Of((0, 2));
        set.Add(start, end);
        Assert.Equal(new[] { (0L, 2L) }, set.Items);
        Assert.Equal(new[] { (2L, 10L) }, set.Uncovered(0, 10));
    }

    [Fact]
    public void OneIntervalSplitsARangeAtItsEdges()
    {
        var set = Of((10, 20));
        Assert.Equal(new[] { (0L, 10L), (20L, 30L) }, set.Uncovered(0, 30));
        Assert.Empty(set.Uncovered(10, 20));
        Assert.Empty(set.Uncovered(12, 18));
        Assert.Equal(new[] { (20L, 25L) }, set.Uncovered(15, 25));
        Assert.Equal(new[] { (5L, 10L) }, set.Uncovered(5, 15));
    }

    [Fact]
    public void EndsAreExclusive()
    {
        var set = Of((10, 20));
        Assert.Equal(new[] { (20L, 21L) }, set.Uncovered(20, 21)); // 20 is not in [10, 20)
        Assert.Equal(new[] { (9L, 10L) }, set.Uncovered(9, 10));
        Assert.Empty(set.Uncovered(19, 20));
        Assert.Empty(set.Uncovered(10, 11));
    }

    [Fact]
    public void AdjacentIntervalsMergeInEitherOrder()
    {
        Assert.Equal(new[] { (0L, 20L) }, Of((0, 10), (10, 20)).Items);
        Assert.Equal(new[] { (0L, 20L) }, Of((10, 20), (0, 10)).Items);
        Assert.Equal(new[] { (0L, 30L) }, Of((0, 10), (20, 30), (10, 20)).Items); // a bridge joins both sides
    }

    [Fact]
    public void IntervalsOneApartStaySeparate()
    {
        var set = Of((0, 10), (11, 20));
        Assert.Equal(new[] { (0L, 10L), (11L, 20L) }, set.Items);
        Assert.Equal(new[] { (10L, 11L) }, set.Uncovered(0, 20));
    }

    [Fact]
    public void OverlappingContainedAndContainingIntervalsMerge()
    {
        Assert.Equal(new[] { (0L, 15L) }, Of((0, 10), (5, 15)).Items);
        Assert.Equal(new[] { (0L, 15L) }, Of((5, 15), (0, 10)).Items);
        Assert.Equal(new[] { (0L, 10L) }, Of((0, 10), (2, 3)).Items);
        Assert.Equal(new[] { (0L, 10L) }, Of((2, 3), (0, 10)).Items);
        Assert.Equal(new[] { (0L, 10L) }, Of((0, 10), (0, 10)).Items);
    }

    [Fact]
    public void OneIntervalSpanningSeveralSwallowsThem()
    {
        var set = Of((10, 20), (30, 40), (50, 60), (70, 80));
        set.Add(15, 55);
        Assert.Equal(new[] { (10L, 60L), (70L, 80L) }, set.Items);
        set.Add(0, 100);
        Assert.Equal(new[] { (0L, 100L) }, set.Items);
    }

    [Fact]
    public void DisjointIntervalsAreKeptSortedWhateverTheOrderTheyCome()
    {
        var set = Of((50, 60), (10, 20), (90, 95), (30, 40), (0, 5));
        Assert.Equal(new[] { (0L, 5L), (10L, 20L), (30L, 40L), (50L, 60L), (90L, 95L) }, set.Items);
        Assert.Equal(new[] { (5L, 10L), (20L, 30L), (40L, 50L), (60L, 90L) }, set.Uncovered(0, 95));
        Assert.Equal(new[] { (20L, 30L), (40L, 45L) }, set.Uncovered(15, 45));
    }

    [Fact]
    public void ARangeBeforeOrAfterEverythingIsUncoveredWhole()
    {
        var set = Of((100, 200), (300, 400));
        Assert.Equal(new[] { (0L, 100L) }, set.Uncovered(0, 100));
        Assert.Equal(new[] { (400L, 500L) }, set.Uncovered(400, 500));
        Assert.Equal(new[] { (200L, 300L) }, set.Uncovered(200, 300));
    }

    [Fact]
    public void OffsetsBeyondFourGibibytesAreExact()
    {
        const long t = 1L << 40;
        var set = Of((t, t + 32768), (t + 65536, t + 98304));
        Assert.Equal(new[] { (t + 32768, t + 65536) }, set.Uncovered(t, t + 98304));
    }

    /// <summary>Random adds and queries against a plain bit map: the set and the map must always agree.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void AgreesWithABitMapUnderRandomUse(int seed)
    {
        // A small volume and short intervals, so that touching, overlapping and one-apart intervals all come up often.
        const int size = 48;
        var random = new Random(seed);
        var map = new bool[size];
        var set = new IntervalSet();
        for (var step = 0; step < 400; step++)
        {
            if (map.Count(b => b) > size * 3 / 4)
            {
                (set, map) = (new IntervalSet(), new bool[size]); // start over before the set is all one interval
            }
            var start = random.Next(size + 1);
            var end = Math.Min(size, start + random.Next(9));
            if (random.Next(2) == 0)
            {
                set.Add(start, end);
                for (var i = start; i < end; i++)
                {
                    map[i] = true;
                }
                Assert.Equal(Runs(map, 0, size, true), set.Items);
            }
            else
            {
                Assert.Equal(Runs(map, start, end, false), set.Uncovered(start, end));
            }
        }
    }

    /// <summary>The maximal runs of <paramref name="value"/> in map[start..end).</summary>
    private static List<(long, long)> Runs(bool[] map, int start, int end, bool value)
    {
        var runs = new List<(long, long)>();
        for (var i = start; i < end;)
        {
            if (map[i] != value)
            {
                i++;
                continue;
            }
            var j = i;
            while (j < end && map[j] == value)
            {
                j++;
            }
            runs.Add((i, j));
            i = j;
        }
        return runs;
    }
}
