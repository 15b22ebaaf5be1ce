using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.Restore;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// <see cref="RestorePlan"/> on its own, from metadata alone: every byte of the volume written exactly once, from the
/// newest layer that holds it; objects wholly superseded not read; a chain that is misaligned or leaves a gap refused
/// before anything is written. Block size 4 keeps the numbers readable; the plan does not care.
/// </summary>
public sealed class RestorePlanTests
{
    private const long B = 4;

    private static ObjectEntry Obj(string name, long offset, long length) => new(name, offset, length, "zlib", "");

    /// <summary>A layer with no store: the plan reads metadata only.</summary>
    private static ChainLayer Layer(string id, params ObjectEntry[] objects) =>
        new(id, null!, "c", "p_" + id, new MetadataDocument { BackupId = id, Objects = objects.ToList() });

    /// <summary>The plan as text, one task a line: "layer object start-end start-end".</summary>
    private static string Shape(RestorePlan plan) =>
        string.Join("\n", plan.Tasks.Select(t => Line(t.Layer.BackupId, t.Object.Name, t.Writes)));

    private static string Line(string layer, string name, IEnumerable<(long Start, long End)> writes) =>
        $"{layer} {name} {string.Join(" ", writes.Select(w => $"{w.Start}-{w.End}"))}";

    private static string Lines(params string[] lines) => string.Join("\n", lines);

    [Fact]
    public void AFullBackupAloneIsWrittenWholeObjectByObject()
    {
        var plan = RestorePlan.Build(new[] { Layer("full", Obj("a", 0, 8), Obj("b", 8, 8), Obj("c", 16, 8)) }, B);
        Assert.Equal(Lines(
            "full a 0-8",
            "full b 8-16",
            "full c 16-24"), Shape(plan));
        Assert.Equal((24L, 24L, 0), (plan.VolumeBytes, plan.BytesToWrite, plan.SkippedObjects));
    }

    [Fact]
    public void OneObjectOfOneBlock()
    {
        var plan = RestorePlan.Build(new[] { Layer("full", Obj("a", 0, B)) }, B);
        Assert.Equal(Lines("full a 0-4"), Shape(plan));
        Assert.Equal((B, B, 0), (plan.VolumeBytes, plan.BytesToWrite, plan.SkippedObjects));
    }

    [Fact]
    public void AShortLastObjectAtTheEndOfTheVolumeIsAllowed()
    {
        var plan = RestorePlan.Build(new[] { Layer("full", Obj("a", 0, 8), Obj("b", 8, 6)) }, B);
        Assert.Equal(14, plan.VolumeBytes);
        Assert.Equal(new[] { (8L, 14L) }, plan.Tasks[1].Writes);
    }

    [Fact]
    public void AChainWithoutObjectsPlansNothing()
    {
        var plan = RestorePlan.Build(new[] { Layer("inc"), Layer("full") }, B);
        Assert.Empty(plan.Tasks);
        Assert.Equal((0L, 0L, 0), (plan.VolumeBytes, plan.BytesToWrite, plan.SkippedObjects));
    }

    [Fact]
    public void AnIncrementalWithoutChangesLeavesTheFullWhole()
    {
        var plan = RestorePlan.Build(new[] { Layer("inc"), Layer("full", Obj("a", 0, 8), Obj("b", 8, 8)) }, B);
        Assert.Equal(Lines("full a 0-8", "full b 8-16"), Shape(plan));
    }

    [Fact]
    public void AnIncrementalWinsWhereItHasDataAndTheFullFillsTheRest()
    {
        var chain = new[]
        {
            Layer("inc", Obj("x", 8, 4), Obj("y", 16, 8)),
            Layer("full", Obj("a", 0, 8), Obj("b", 8, 8), Obj("c", 16, 8)),
        };
        var plan = RestorePlan.Build(chain, B);
        // Newest layer first; "b" keeps only its second half; "c" is wholly superseded and not read.
        Assert.Equal(Lines(
            "inc x 8-12",
            "inc y 16-24",
            "full a 0-8",
            "full b 12-16"), Shape(plan));
        Assert.Equal((24L, 24L, 1), (plan.VolumeBytes, plan.BytesToWrite, plan.SkippedObjects));
    }

    [Fact]
    public void AnObjectCanBeSplitIntoSeveralWrites()
    {
        var chain = new[] { Layer("inc", Obj("x", 4, 4), Obj("y", 12, 4)), Layer("full", Obj("a", 0, 20)) };
        var plan = RestorePlan.Build(chain, B);
        Assert.Equal(new[] { (0L, 4L), (8L, 12L), (16L, 20L) }, plan.Tasks[2].Writes);
        Assert.Equal(20, plan.BytesToWrite);
    }

    [Fact]
    public void LayersThatCoverEachOtherLeaveOnlyTheNewestBytes()
    {
        // inc2 covers the middle of inc1, inc1 covers all of the full: the full is never read.
        var chain = new[]
        {
            Layer("inc2", Obj("m", 4, 8)),
            Layer("inc1", Obj("p", 0, 8), Obj("q", 8, 8)),
            Layer("full", Obj("a", 0, 16)),
        };
        var plan = RestorePlan.Build(chain, B);
        Assert.Equal(Lines(
            "inc2 m 4-12",
            "inc1 p 0-4",
            "inc1 q 12-16"), Shape(plan));
        Assert.Equal((16L, 16L, 1), (plan.VolumeBytes, plan.BytesToWrite, plan.SkippedObjects));
    }

    [Fact]
    public void ANewestLayerCoveringEverythingSkipsEveryOlderLayer()
    {
        var chain = new[]
        {
            Layer("inc2", Obj("n", 0, 16)),
            Layer("inc1", Obj("p", 0, 8), Obj("q", 8, 8)),
            Layer("full", Obj("a", 0, 8), Obj("b", 8, 8)),
        };
        var plan = RestorePlan.Build(chain, B);
        Assert.Equal(Lines("inc2 n 0-16"), Shape(plan));
        Assert.Equal(4, plan.SkippedObjects);
    }

    [Fact]
    public void AnIncrementalOfAGrownVolumeCoversTheNewEnd()
    {
        var chain = new[] { Layer("inc", Obj("x", 16, 8)), Layer("full", Obj("a", 0, 16)) };
        var plan = RestorePlan.Build(chain, B);
        Assert.Equal(24, plan.VolumeBytes);
        Assert.Equal(Lines("inc x 16-24", "full a 0-16"), Shape(plan));
    }

    [Fact]
    public void AGapInTheFullThatANewerLayerFillsIsNoGap()
    {
        var chain = new[] { Layer("inc", Obj("x", 8, 8)), Layer("full", Obj("a", 0, 8), Obj("c", 16, 8)) };
        var plan = RestorePlan.Build(chain, B);
        Assert.Equal(24, plan.BytesToWrite);
    }

    [Theory]
    [InlineData(0, 8, 16, 8, "8-16")] // a hole in the middle
    [InlineData(4, 4, 8, 8, "0-4")] // the volume's first block missing
    public void AChainThatLeavesAGapIsRefusedNamingTheFullBackupAndTheBytes(long o1, long l1, long o2, long l2, string gap)
    {
        var chain = new[] { Layer("inc", Obj("x", o1, l1)), Layer("full", Obj("b", o2, l2)) };
        var e = Assert.Throws<CinderBackupException>(() => RestorePlan.Build(chain, B));
        Assert.Equal((ErrorIds.BackupCorrupt, "full"), (e.ErrorId, e.Target));
        Assert.Contains($"does not cover bytes {gap} ", e.Message);
    }

    [Fact]
    public void AMisalignedObjectIsRefusedEvenInALayerThatIsWhollySuperseded()
    {
        var chain = new[] { Layer("inc", Obj("x", 0, 16)), Layer("full", Obj("a", 0, 6), Obj("b", 6, 10)) };
        var e = Assert.Throws<CinderBackupException>(() => RestorePlan.Build(chain, B));
        Assert.Equal((ErrorIds.BackupCorrupt, "b"), (e.ErrorId, e.Target));
        Assert.Contains("Backup full: object 'b' starts at offset 6", e.Message);
    }

    [Fact]
    public void APartialBlockBeforeTheEndOfTheVolumeIsRefused()
    {
        var chain = new[] { Layer("full", Obj("a", 0, 6), Obj("b", 8, 8)) };
        var e = Assert.Throws<CinderBackupException>(() => RestorePlan.Build(chain, B));
        Assert.Equal((ErrorIds.BackupCorrupt, "a"), (e.ErrorId, e.Target));
        Assert.Contains("has length 6, not a whole number of hash blocks", e.Message);
    }

    /// <summary>
    /// Random chains against a block-by-block model: each block comes from the newest layer that has it, each object's
    /// writes are exactly its blocks that no newer layer has, the writes tile the volume once, and an object left with no
    /// block is skipped.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void EveryBlockIsWrittenOnceFromTheNewestLayerThatHoldsIt(int seed)
    {
        var random = new Random(seed);
        var blocks = random.Next(1, 60);
        var layers = new List<ChainLayer> { Layer("full", Tile(random, 0, blocks, "full").ToArray()) };
        for (var n = random.Next(0, 6); n > 0; n--)
        {
            var id = "inc" + layers.Count;
            var objects = new List<ObjectEntry>();
            for (var at = 0; at < blocks;)
            {
                var run = random.Next(1, 8);
                if (random.Next(2) == 0)
                {
                    objects.AddRange(Tile(random, at, Math.Min(blocks, at + run), id + "_" + at));
                }
                at += run;
            }
            layers.Insert(0, Layer(id, objects.ToArray()));
        }

        var plan = RestorePlan.Build(layers, B);

        var newest = new int[blocks];
        for (var block = 0; block < blocks; block++)
        {
            newest[block] = layers.FindIndex(l => l.Metadata.Objects.Any(o => o.Offset <= block * B && block * B < o.End));
        }
        var expected = new List<string>();
        var skipped = 0;
        for (var i = 0; i < layers.Count; i++)
        {
            foreach (var o in layers[i].Metadata.Objects)
            {
                var mine = new bool[blocks];
                for (var block = (int)(o.Offset / B); block < o.End / B; block++)
                {
                    mine[block] = newest[block] == i;
                }
                var writes = Runs(mine).Select(r => (r.Start * B, r.End * B)).ToArray();
                if (writes.Length == 0)
                {
                    skipped++;
                }
                else
                {
                    expected.Add(Line(layers[i].BackupId, o.Name, writes));
                }
            }
        }
        Assert.Equal(string.Join("\n", expected), Shape(plan));
        Assert.Equal((blocks * B, blocks * B, skipped), (plan.VolumeBytes, plan.BytesToWrite, plan.SkippedObjects));
    }

    /// <summary>Objects of random whole-block lengths covering blocks [from, to).</summary>
    private static IEnumerable<ObjectEntry> Tile(Random random, int from, int to, string name)
    {
        for (var at = from; at < to;)
        {
            var length = Math.Min(to - at, random.Next(1, 6));
            yield return Obj($"{name}-{at}", at * B, length * B);
            at += length;
        }
    }

    private static List<(long Start, long End)> Runs(bool[] map)
    {
        var runs = new List<(long, long)>();
        for (var i = 0; i < map.Length; i++)
        {
            if (map[i] && (i == 0 || !map[i - 1]))
            {
                var j = i;
                while (j < map.Length && map[j])
                {
                    j++;
                }
                runs.Add((i, j));
            }
        }
        return runs;
    }
}
