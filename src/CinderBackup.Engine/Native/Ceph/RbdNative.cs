using System.Runtime.InteropServices;

namespace CinderBackup.Engine.Native.Ceph;

/// <summary>
/// The librbd C entry points we use (librbd.so.1, loaded by its versioned name). Images are opened on a pool's I/O
/// context; one open image may be read and written from several threads at once (librbd serialises internally).
/// </summary>
internal static unsafe partial class RbdNative
{
    public const string Library = "rbd";

    static RbdNative() => NativeLibraries.Register(typeof(RbdNative).Assembly, Library, () => new[] { "librbd.so.1", "librbd.so" });

    public static void EnsureRegistered()
    {
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SnapInfo
    {
        public ulong Id;
        public ulong Size;
        public IntPtr Name;
    }

    /// <summary>int (*)(uint64_t offset, size_t length, int exists, void *arg)</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int DiffCallback(ulong offset, nuint length, int exists, IntPtr arg);

    [LibraryImport(Library, EntryPoint = "rbd_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Create(IntPtr ioctx, string name, ulong size, ref int order);

    [LibraryImport(Library, EntryPoint = "rbd_remove", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Remove(IntPtr ioctx, string name);

    [LibraryImport(Library, EntryPoint = "rbd_list")]
    public static partial int List(IntPtr ioctx, byte* names, ref nuint size);

    [LibraryImport(Library, EntryPoint = "rbd_open", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(IntPtr ioctx, string name, out IntPtr image, string? snapName);

    [LibraryImport(Library, EntryPoint = "rbd_open_read_only", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenReadOnly(IntPtr ioctx, string name, out IntPtr image, string? snapName);

    [LibraryImport(Library, EntryPoint = "rbd_close")]
    public static partial int Close(IntPtr image);

    [LibraryImport(Library, EntryPoint = "rbd_get_size")]
    public static partial int GetSize(IntPtr image, out ulong size);

    [LibraryImport(Library, EntryPoint = "rbd_resize")]
    public static partial int Resize(IntPtr image, ulong size);

    [LibraryImport(Library, EntryPoint = "rbd_read2")]
    public static partial nint Read2(IntPtr image, ulong offset, nuint length, byte* buffer, int opFlags);

    [LibraryImport(Library, EntryPoint = "rbd_write2")]
    public static partial nint Write2(IntPtr image, ulong offset, nuint length, byte* buffer, int opFlags);

    [LibraryImport(Library, EntryPoint = "rbd_discard")]
    public static partial int Discard(IntPtr image, ulong offset, ulong length);

    [LibraryImport(Library, EntryPoint = "rbd_write_zeroes")]
    public static partial int WriteZeroes(IntPtr image, ulong offset, nuint length, int zeroFlags, int opFlags);

    [LibraryImport(Library, EntryPoint = "rbd_flush")]
    public static partial int Flush(IntPtr image);

    [LibraryImport(Library, EntryPoint = "rbd_snap_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SnapCreate(IntPtr image, string snapName);

    [LibraryImport(Library, EntryPoint = "rbd_snap_remove", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SnapRemove(IntPtr image, string snapName);

    [LibraryImport(Library, EntryPoint = "rbd_snap_list")]
    public static partial int SnapList(IntPtr image, SnapInfo* snaps, ref int maxSnaps);

    [LibraryImport(Library, EntryPoint = "rbd_snap_list_end")]
    public static partial void SnapListEnd(SnapInfo* snaps);

    [LibraryImport(Library, EntryPoint = "rbd_diff_iterate2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int DiffIterate2(IntPtr image, string? fromSnapName, ulong offset, ulong length, byte includeParent,
        byte wholeObject, IntPtr callback, IntPtr arg);
}
