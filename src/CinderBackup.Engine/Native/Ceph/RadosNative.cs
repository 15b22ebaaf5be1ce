using System.Runtime.InteropServices;

namespace CinderBackup.Engine.Native.Ceph;

/// <summary>
/// The librados C entry points we use (librados.so.2: Debian ships no unversioned link without librados-dev, so the
/// versioned name is registered). Every call returns a negative errno on failure.
/// </summary>
internal static unsafe partial class RadosNative
{
    public const string Library = "rados";

    static RadosNative() => NativeLibraries.Register(typeof(RadosNative).Assembly, Library, () => new[] { "librados.so.2", "librados.so" });

    /// <summary>Makes the library resolvable before the first call (the static constructor registers it).</summary>
    public static void EnsureRegistered()
    {
    }

    [LibraryImport(Library, EntryPoint = "rados_create2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Create2(out IntPtr cluster, string clusterName, string name, ulong flags);

    [LibraryImport(Library, EntryPoint = "rados_conf_read_file", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfReadFile(IntPtr cluster, string path);

    [LibraryImport(Library, EntryPoint = "rados_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfSet(IntPtr cluster, string option, string value);

    [LibraryImport(Library, EntryPoint = "rados_connect")]
    public static partial int Connect(IntPtr cluster);

    [LibraryImport(Library, EntryPoint = "rados_shutdown")]
    public static partial void Shutdown(IntPtr cluster);

    [LibraryImport(Library, EntryPoint = "rados_pool_lookup", StringMarshalling = StringMarshalling.Utf8)]
    public static partial long PoolLookup(IntPtr cluster, string poolName);

    [LibraryImport(Library, EntryPoint = "rados_pool_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int PoolCreate(IntPtr cluster, string poolName);

    [LibraryImport(Library, EntryPoint = "rados_ioctx_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int IoctxCreate(IntPtr cluster, string poolName, out IntPtr ioctx);

    [LibraryImport(Library, EntryPoint = "rados_ioctx_destroy")]
    public static partial void IoctxDestroy(IntPtr ioctx);

    [LibraryImport(Library, EntryPoint = "rados_application_enable", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ApplicationEnable(IntPtr ioctx, string app, int force);

    [LibraryImport(Library, EntryPoint = "rados_mon_command")]
    public static partial int MonCommand(IntPtr cluster, IntPtr* cmd, nuint cmdLength, byte* inBuffer, nuint inLength,
        out IntPtr outBuffer, out nuint outLength, out IntPtr outStatus, out nuint outStatusLength);

    [LibraryImport(Library, EntryPoint = "rados_buffer_free")]
    public static partial void BufferFree(IntPtr buffer);

    [LibraryImport(Library, EntryPoint = "rados_write_full", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int WriteFull(IntPtr ioctx, string oid, byte* buffer, nuint length);

    // A compound write op: create-exclusive plus write_full, applied atomically by the OSD (-EEXIST when the object is there).
    public const int CreateExclusive = 1;

    [LibraryImport(Library, EntryPoint = "rados_create_write_op")]
    public static partial IntPtr CreateWriteOp();

    [LibraryImport(Library, EntryPoint = "rados_release_write_op")]
    public static partial void ReleaseWriteOp(IntPtr op);

    [LibraryImport(Library, EntryPoint = "rados_write_op_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void WriteOpCreate(IntPtr op, int exclusive, string? category);

    [LibraryImport(Library, EntryPoint = "rados_write_op_write_full")]
    public static partial void WriteOpWriteFull(IntPtr op, byte* buffer, nuint length);

    [LibraryImport(Library, EntryPoint = "rados_write_op_operate", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int WriteOpOperate(IntPtr op, IntPtr ioctx, string oid, IntPtr mtime, int flags);

    [LibraryImport(Library, EntryPoint = "rados_write", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Write(IntPtr ioctx, string oid, byte* buffer, nuint length, ulong offset);

    [LibraryImport(Library, EntryPoint = "rados_read", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Read(IntPtr ioctx, string oid, byte* buffer, nuint length, ulong offset);

    [LibraryImport(Library, EntryPoint = "rados_stat", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Stat(IntPtr ioctx, string oid, out ulong size, out long mtime);

    [LibraryImport(Library, EntryPoint = "rados_remove", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Remove(IntPtr ioctx, string oid);

    [LibraryImport(Library, EntryPoint = "rados_nobjects_list_open")]
    public static partial int ListOpen(IntPtr ioctx, out IntPtr listContext);

    [LibraryImport(Library, EntryPoint = "rados_nobjects_list_next")]
    public static partial int ListNext(IntPtr listContext, out IntPtr entry, IntPtr key, IntPtr nspace);

    [LibraryImport(Library, EntryPoint = "rados_nobjects_list_close")]
    public static partial void ListClose(IntPtr listContext);
}
