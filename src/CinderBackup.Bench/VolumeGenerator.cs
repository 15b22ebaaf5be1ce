using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Bench;

/// <summary>
/// Writes the benchmark's volumes, deterministically from a seed: mixed (text, random, zeros), incompressible
/// (random), and sparse (a few data extents of mixed content in a large hole, plus the same data as a dense file
/// for the read-and-hash reference); and changes a share of a volume's blocks for incrementals.
/// </summary>
internal static class VolumeGenerator
{
    public const int BufferSize = 4 << 20;

    /// <summary>Size of each data extent of the sparse volume.</summary>
    public const long SparseExtent = 16L << 20;

    public static void WriteMixed(string path, long length, ulong seed)
    {
        var data = new MixedData(seed);
        Write(path, length, data.Fill);
    }

    public static void WriteRandom(string path, long length, ulong seed)
    {
        var rng = new Prng(seed);
        Write(path, length, span => rng.Fill(span));
    }

    /// <summary>
    /// A <paramref name="length"/>-byte sparse image holding <paramref name="dataBytes"/> of mixed data in
    /// <see cref="SparseExtent"/>-sized extents, one at a seeded place in each equal slice of the volume, and the
    /// same data back to back in <paramref name="densePath"/>.
    /// </summary>
    public static void WriteSparse(string path, string densePath, long length, long dataBytes, ulong seed)
    {
        var extents = (int)Math.Max(1, dataBytes / SparseExtent);
        var extent = dataBytes / extents / 65536 * 65536;
        var slice = length / extents;
        var rng = new Prng(seed ^ 0x5BA55);
        var data = new MixedData(seed);
        var buffer = new byte[BufferSize];
        using var sparse = Create(path);
        using var dense = Create(densePath);
        RandomAccess.SetLength(sparse, length);
        long denseAt = 0;
        for (var i = 0; i < extents; i++)
        {
            var room = (slice - extent) / (1 << 20);
            var at = i * slice + (room > 0 ? rng.Below((int)Math.Min(room, int.MaxValue)) : 0) * (1L << 20);
            for (long done = 0; done < extent;)
            {
                var n = (int)Math.Min(buffer.Length, extent - done);
                data.Fill(buffer.AsSpan(0, n));
                RandomAccess.Write(sparse, buffer.AsSpan(0, n), at + done);
                RandomAccess.Write(dense, buffer.AsSpan(0, n), denseAt);
                done += n;
                denseAt += n;
            }
        }
    }

    /// <summary>
    /// Overwrites <paramref name="fraction"/> of the volume's <paramref name="block"/>-sized blocks with new text,
    /// in runs of 1 to 8 blocks at seeded places; returns the number of distinct blocks changed.
    /// </summary>
    public static long Mutate(string path, long block, double fraction, ulong seed)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        var length = RandomAccess.GetLength(handle);
        var blocks = length / block;
        var target = (long)Math.Ceiling(blocks * fraction);
        var changed = new bool[blocks];
        var rng = new Prng(seed);
        var text = new TextGenerator(seed);
        var buffer = new byte[8 * block];
        long count = 0;
        while (count < target)
        {
            var first = (long)(rng.Next() % (ulong)blocks);
            var run = (int)Math.Min(1 + rng.Below(8), blocks - first);
            var span = buffer.AsSpan(0, (int)(run * block));
            text.Fill(ref rng, span);
            RandomAccess.Write(handle, span, first * block);
            for (var k = first; k < first + run; k++)
            {
                if (!changed[k])
                {
                    changed[k] = true;
                    count++;
                }
            }
        }
        return count;
    }

    private static void Write(string path, long length, SpanAction fill)
    {
        var buffer = new byte[BufferSize];
        using var handle = Create(path);
        for (long pos = 0; pos < length;)
        {
            var n = (int)Math.Min(buffer.Length, length - pos);
            fill(buffer.AsSpan(0, n));
            RandomAccess.Write(handle, buffer.AsSpan(0, n), pos);
            pos += n;
        }
    }

    private delegate void SpanAction(Span<byte> span);

    private static SafeFileHandle Create(string path) => File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite);
}
