using System.Diagnostics;
using CinderBackup.Engine.Repositories.Ceph;

namespace CinderBackup.Engine.Tests.Ceph;

/// <summary>The allocated-extent lookup of Ceph restores and verifies (issue 18 review): right, and not quadratic.</summary>
public sealed class CephExtentsTests
{
    [Fact]
    public void OverlapsAnswersAsAScanWouldWithUnsortedTouchingAndEmptyExtents()
    {
        var random = new Random(18);
        for (var round = 0; round < 200; round++)
        {
            var extents = Enumerable.Range(0, random.Next(0, 30)).Select(_ => ((long)random.Next(0, 2000), (long)random.Next(0, 120))).ToList();
            var lookup = new CephExtents(extents);
            for (var q = 0; q < 200; q++)
            {
                long start = random.Next(0, 2200), end = start + random.Next(0, 200);
                var scan = extents.Any(e => e.Item2 > 0 && e.Item1 < end && e.Item1 + e.Item2 > start && start < end);
                Assert.Equal(scan, lookup.Overlaps(start, end));
            }
        }
        Assert.Equal(1, new CephExtents(new[] { (0L, 10L), (10L, 5L), (3L, 2L) }).Count); // touching and nested: merged
    }

    [Fact]
    public void AHugeFragmentedImageIsLookedUpInLogarithmicTime()
    {
        // 400,000 extents (every other 4 KiB of a 3 GiB image) and as many pieces: a scan per piece takes minutes.
        const int n = 400_000;
        var lookup = new CephExtents(Enumerable.Range(0, n).Select(i => (i * 8192L, 4096L)));
        var watch = Stopwatch.StartNew();
        var hits = 0;
        for (var i = 0; i < n; i++)
        {
            hits += lookup.Overlaps(i * 8192L, i * 8192L + 4096) ? 1 : 0;
            hits -= lookup.Overlaps(i * 8192L + 4096, i * 8192L + 8192) ? 1 : 0;
        }
        Assert.Equal(n, hits);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{2 * n} lookups took {watch.Elapsed}");
    }
}
