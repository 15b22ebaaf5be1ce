using CinderBackup.Engine.Backup;
using CinderBackup.Engine.Native.Ceph;

namespace CinderBackup.Engine.Tests.Ceph;

/// <summary>The windows a streamed RBD diff is asked for, and the merge of a window's rounded extents (no cluster needed).</summary>
public sealed class RbdDiffWindowTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void ARangeIsCutAtTheWindowMultiplesInOrderAndCoveredExactly()
    {
        Assert.Equal(new[] { (0L, 4 * MiB) }, RbdImage.DiffWindows(0, 4 * MiB, 4 * MiB));
        Assert.Equal(new[] { (MiB, 3 * MiB), (4 * MiB, 4 * MiB), (8 * MiB, 100L) }, RbdImage.DiffWindows(MiB, 7 * MiB + 100, 4 * MiB));
        Assert.Equal(new[] { (5L, 2L) }, RbdImage.DiffWindows(5, 2, 4 * MiB));
        Assert.Empty(RbdImage.DiffWindows(7, 0, MiB));
        Assert.Throws<ArgumentOutOfRangeException>(() => RbdImage.DiffWindows(0, 1, 0).ToList());
        // A large image is asked for in windows, never as one range: the extents held at once are one window's.
        var windows = RbdImage.DiffWindows(0, 1L << 40, 1L << 30).ToList();
        Assert.Equal(1024, windows.Count);
        Assert.All(windows, w => Assert.Equal(1L << 30, w.Length));
        Assert.Equal(1L << 40, windows.Sum(w => w.Length));
    }

    [Fact]
    public void ExtentsAreSortedAndMergedWhereTheyTouchOrOverlap()
    {
        var merged = RbdSource.Merge(new List<(long, long)> { (64, 96), (0, 32), (32, 64), (128, 160), (140, 150), (192, 224) });
        Assert.Equal(new[] { (0L, 96L), (128L, 160L), (192L, 224L) }, merged);
        Assert.Empty(RbdSource.Merge(new List<(long, long)>()));
    }
}
