using System.Runtime.InteropServices;

namespace CinderBackup.Engine.Native.Ceph;

/// <summary>
/// An open RBD image (or one of its snapshots, read only). Reads and writes at offsets may run on several threads at
/// once. Disposing closes it.
/// </summary>
internal sealed unsafe class RbdImage : IDisposable
{
    private IntPtr _handle;

    internal RbdImage(RadosPool pool, string name, string? snapshot, IntPtr handle)
    {
        Pool = pool;
        Name = name;
        Snapshot = snapshot;
        _handle = handle;
    }

    public RadosPool Pool { get; }

    public string Name { get; }

    public string? Snapshot { get; }

    private string What => $"image '{Pool.Name}/{Name}'" + (Snapshot is null ? "" : $"@{Snapshot}");

    private IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(RbdImage));

    public long Size
    {
        get
        {
            CephException.Check(RbdNative.GetSize(Handle, out var size), $"Cannot get the size of {What}");
            return (long)size;
        }
    }

    public void Resize(long size) => CephException.Check(RbdNative.Resize(Handle, (ulong)size), $"Cannot resize {What} to {size} bytes");

    /// <summary>Reads <paramref name="buffer"/>'s length at <paramref name="offset"/> (short only at the image's end).</summary>
    public int Read(long offset, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            return (int)CephException.Check(RbdNative.Read2(Handle, (ulong)offset, (nuint)buffer.Length, p, 0), $"Cannot read {buffer.Length} bytes at {offset} of {What}");
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var n = CephException.Check(RbdNative.Write2(Handle, (ulong)offset, (nuint)data.Length, p, 0), $"Cannot write {data.Length} bytes at {offset} of {What}");
            if (n != data.Length)
            {
                throw new IOException($"Short write to {What}: {n} of {data.Length} bytes at {offset}.");
            }
        }
    }

    /// <summary>Makes a range read as zeros, deallocating what it can (Cinder's restore discard on an RBD target).</summary>
    public void Discard(long offset, long length)
    {
        // rbd_discard takes at most 2 GiB - 1 at a time, as Cinder's _discard_bytes splits it.
        const long limit = int.MaxValue;
        for (var done = 0L; done < length; done += limit)
        {
            var n = Math.Min(limit, length - done);
            CephException.Check(RbdNative.Discard(Handle, (ulong)(offset + done), (ulong)n), $"Cannot discard {n} bytes at {offset + done} of {What}");
        }
    }

    /// <summary>Makes a range read as zeros for certain (rbd_write_zeroes; a discard may skip partial objects).</summary>
    public void WriteZeroes(long offset, long length)
    {
        const long limit = 1L << 30;
        for (var done = 0L; done < length; done += limit)
        {
            var n = Math.Min(limit, length - done);
            CephException.Check(RbdNative.WriteZeroes(Handle, (ulong)(offset + done), (nuint)n, 0, 0), $"Cannot zero {n} bytes at {offset + done} of {What}");
        }
    }

    public void Flush() => CephException.Check(RbdNative.Flush(Handle), $"Cannot flush {What}");

    public void CreateSnapshot(string name) => CephException.Check(RbdNative.SnapCreate(Handle, name), $"Cannot create snapshot '{name}' of {What}");

    /// <summary>Removes a snapshot; false when it was not there.</summary>
    public bool RemoveSnapshot(string name)
    {
        var rc = RbdNative.SnapRemove(Handle, name);
        return rc != -CephException.ENOENT && CephException.Check(rc, $"Cannot remove snapshot '{name}' of {What}") >= 0;
    }

    public IReadOnlyList<RbdSnapshot> Snapshots()
    {
        var max = 16;
        while (true)
        {
            var infos = new RbdNative.SnapInfo[max + 1];
            fixed (RbdNative.SnapInfo* p = infos)
            {
                var count = max;
                var rc = RbdNative.SnapList(Handle, p, ref count);
                if (rc == -CephException.ERANGE)
                {
                    max = Math.Max(count, max * 2);
                    continue;
                }
                CephException.Check(rc, $"Cannot list the snapshots of {What}");
                var list = new List<RbdSnapshot>(rc);
                for (var i = 0; i < rc; i++)
                {
                    list.Add(new RbdSnapshot(p[i].Id, (long)p[i].Size, Marshal.PtrToStringUTF8(p[i].Name)!));
                }
                RbdNative.SnapListEnd(p);
                return list;
            }
        }
    }

    /// <summary>
    /// How much of the image one rbd_diff_iterate2 call covers: a streamed diff holds at most one window's extents, so
    /// memory does not grow with a large fragmented image. A multiple of every hash block size (a power of two).
    /// </summary>
    internal static long DiffWindowBytes { get; set; } = 1L << 30;

    /// <summary>[offset, offset+length) cut at the multiples of <paramref name="window"/>, in order.</summary>
    internal static IEnumerable<(long Offset, long Length)> DiffWindows(long offset, long length, long window)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        for (long at = offset, end = offset + length; at < end;)
        {
            var next = Math.Min(end, (at / window + 1) * window);
            yield return (at, next - at);
            at = next;
        }
    }

    /// <summary>
    /// The extents changed since snapshot <paramref name="fromSnapshot"/> (null: every allocated extent) within
    /// [offset, offset+length), in order, as (offset, length, exists: false where the range now reads as zeros).
    /// For a small range; a whole image streams through the overload that takes a callback.
    /// </summary>
    public IReadOnlyList<(long Offset, long Length, bool Exists)> Diff(string? fromSnapshot, long offset, long length, bool wholeObject = false)
    {
        var extents = new List<(long, long, bool)>();
        Diff(fromSnapshot, offset, length, (off, len, exists) => extents.Add((off, len, exists)), wholeObject);
        return extents;
    }

    /// <summary>
    /// Streams the extents changed since <paramref name="fromSnapshot"/> within [offset, offset+length) to
    /// <paramref name="onExtent"/> (offset, length, exists), one <see cref="DiffWindowBytes"/> window per librbd call, in
    /// order; an extent that crosses a window's edge comes as two.
    /// </summary>
    public void Diff(string? fromSnapshot, long offset, long length, Action<long, long, bool> onExtent, bool wholeObject = false)
    {
        Exception? failed = null;
        RbdNative.DiffCallback callback = (off, len, exists, _) =>
        {
            try
            {
                onExtent((long)off, (long)len, exists != 0);
                return 0;
            }
            catch (Exception e)
            {
                failed = e; // never across librbd's frames: a negative return stops the iteration
                return -1;
            }
        };
        var pointer = Marshal.GetFunctionPointerForDelegate(callback);
        foreach (var (at, n) in DiffWindows(offset, length, DiffWindowBytes))
        {
            var rc = RbdNative.DiffIterate2(Handle, fromSnapshot, (ulong)at, (ulong)n, 1, wholeObject ? (byte)1 : (byte)0, pointer, IntPtr.Zero);
            GC.KeepAlive(callback);
            if (failed is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failed).Throw();
            }
            CephException.Check(rc, $"Cannot list the changes of {What}" + (fromSnapshot is null ? "" : $" since snapshot '{fromSnapshot}'"));
        }
    }

    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (handle != IntPtr.Zero)
        {
            RbdNative.Close(handle);
        }
    }
}
