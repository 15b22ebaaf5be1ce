using System.Runtime.InteropServices;

namespace CinderBackup.Engine.Native.Ceph;

/// <summary>
/// A pool of a <see cref="RadosCluster"/> (a rados_ioctx_t): its RADOS objects and its RBD images. Thread-safe.
/// </summary>
internal sealed unsafe class RadosPool : IDisposable
{
    private IntPtr _handle;

    internal RadosPool(RadosCluster cluster, string name, IntPtr handle)
    {
        Cluster = cluster;
        Name = name;
        _handle = handle;
    }

    public RadosCluster Cluster { get; }

    public string Name { get; }

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(RadosPool));

    /// <summary>Replaces a RADOS object's content (at most a few MiB: objects are not images).</summary>
    public void WriteObject(string oid, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            CephException.Check(RadosNative.WriteFull(Handle, oid, p, (nuint)data.Length), $"Cannot write object '{oid}' in pool '{Name}'");
        }
    }

    /// <summary>Creates a RADOS object with <paramref name="data"/> only if it is not there (one atomic OSD op); false when it was.</summary>
    public bool CreateObjectExclusive(string oid, ReadOnlySpan<byte> data)
    {
        var op = RadosNative.CreateWriteOp();
        if (op == IntPtr.Zero)
        {
            throw new CephException($"Cannot make a write operation for object '{oid}' in pool '{Name}'", -12);
        }
        try
        {
            fixed (byte* p = data)
            {
                RadosNative.WriteOpCreate(op, RadosNative.CreateExclusive, null);
                RadosNative.WriteOpWriteFull(op, p, (nuint)data.Length);
                var rc = RadosNative.WriteOpOperate(op, Handle, oid, IntPtr.Zero, 0);
                return rc != -CephException.EEXIST && CephException.Check(rc, $"Cannot create object '{oid}' in pool '{Name}'") >= 0;
            }
        }
        finally
        {
            RadosNative.ReleaseWriteOp(op);
        }
    }

    /// <summary>Writes part of a RADOS object (a streamed document, piece by piece).</summary>
    public void WriteObject(string oid, ReadOnlySpan<byte> data, long offset)
    {
        fixed (byte* p = data)
        {
            CephException.Check(RadosNative.Write(Handle, oid, p, (nuint)data.Length, (ulong)offset), $"Cannot write object '{oid}' in pool '{Name}'");
        }
    }

    /// <summary>Reads up to <paramref name="buffer"/>'s length from <paramref name="offset"/>; returns the bytes read (0 at the end).</summary>
    public int ReadObject(string oid, Span<byte> buffer, long offset)
    {
        fixed (byte* p = buffer)
        {
            return (int)CephException.Check(RadosNative.Read(Handle, oid, p, (nuint)buffer.Length, (ulong)offset), $"Cannot read object '{oid}' in pool '{Name}'");
        }
    }

    /// <summary>A whole (small) RADOS object, or null when it is not there.</summary>
    public byte[]? ReadObject(string oid, long maxBytes)
    {
        if (ObjectSize(oid) is not long size)
        {
            return null;
        }
        if (size > maxBytes)
        {
            throw new InvalidDataException($"Object '{oid}' in pool '{Name}' is {size} bytes, more than the {maxBytes} expected.");
        }
        var data = new byte[size];
        var done = 0;
        while (done < size)
        {
            var n = ReadObject(oid, data.AsSpan(done), done);
            if (n == 0)
            {
                break;
            }
            done += n;
        }
        return done == size ? data : data[..done];
    }

    /// <summary>A RADOS object's size, or null when it is not there.</summary>
    public long? ObjectSize(string oid)
    {
        var rc = RadosNative.Stat(Handle, oid, out var size, out _);
        return rc == -CephException.ENOENT ? null : CephException.Check(rc, $"Cannot stat object '{oid}' in pool '{Name}'") >= 0 ? (long)size : null;
    }

    /// <summary>Removes a RADOS object; false when it was not there.</summary>
    public bool RemoveObject(string oid)
    {
        var rc = RadosNative.Remove(Handle, oid);
        return rc != -CephException.ENOENT && CephException.Check(rc, $"Cannot remove object '{oid}' in pool '{Name}'") >= 0;
    }

    /// <summary>Every object of the pool's default namespace (RBD's own objects included), streamed.</summary>
    public IEnumerable<string> ListObjects()
    {
        CephException.Check(RadosNative.ListOpen(Handle, out var list), $"Cannot list pool '{Name}'");
        try
        {
            while (true)
            {
                var rc = RadosNative.ListNext(list, out var entry, IntPtr.Zero, IntPtr.Zero);
                if (rc == -CephException.ENOENT)
                {
                    yield break;
                }
                CephException.Check(rc, $"Cannot list pool '{Name}'");
                yield return Marshal.PtrToStringUTF8(entry)!;
            }
        }
        finally
        {
            RadosNative.ListClose(list);
        }
    }

    /// <summary>Creates an RBD image with the cluster's default features and object size.</summary>
    public void CreateImage(string name, long size)
    {
        RbdNative.EnsureRegistered();
        var order = 0;
        CephException.Check(RbdNative.Create(Handle, name, (ulong)size, ref order), $"Cannot create image '{Name}/{name}'");
    }

    /// <summary>Removes an image; false when it was not there. An image with snapshots fails (ENOTEMPTY).</summary>
    public bool RemoveImage(string name)
    {
        var rc = RbdNative.Remove(Handle, name);
        return rc != -CephException.ENOENT && CephException.Check(rc, $"Cannot remove image '{Name}/{name}'") >= 0;
    }

    public bool ImageExists(string name) => ListImages().Contains(name, StringComparer.Ordinal);

    public IReadOnlyList<string> ListImages()
    {
        nuint size = 4096;
        while (true)
        {
            var buffer = new byte[size];
            int rc;
            fixed (byte* p = buffer)
            {
                rc = RbdNative.List(Handle, p, ref size);
            }
            if (rc == -CephException.ERANGE)
            {
                continue;
            }
            CephException.Check(rc, $"Cannot list the images of pool '{Name}'");
            return System.Text.Encoding.UTF8.GetString(buffer, 0, (int)Math.Min(size, (nuint)buffer.Length))
                .Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    /// <summary>Opens an image (at a snapshot: read only). Throws <see cref="CephException"/> with ENOENT when it or the snapshot is not there.</summary>
    public RbdImage OpenImage(string name, string? snapshot = null, bool readOnly = false)
    {
        RbdNative.EnsureRegistered();
        var rc = readOnly || snapshot is not null
            ? RbdNative.OpenReadOnly(Handle, name, out var image, snapshot)
            : RbdNative.Open(Handle, name, out image, null);
        CephException.Check(rc, $"Cannot open image '{Name}/{name}'" + (snapshot is null ? "" : $" at snapshot '{snapshot}'"));
        return new RbdImage(this, name, snapshot, image);
    }

    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (handle != IntPtr.Zero)
        {
            RadosNative.IoctxDestroy(handle);
        }
    }
}
