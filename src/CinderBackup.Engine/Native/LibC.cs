using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Engine.Native;

/// <summary>
/// The few POSIX calls .NET does not expose: hole search, reflink, hard link, block device size, hole punching,
/// directory fsync. Every entry point has a portable fallback so Windows and macOS hosts still work.
/// </summary>
internal static partial class LibC
{
    private const int SEEK_DATA = 3;
    private const int SEEK_HOLE = 4;
    private const int ENXIO = 6;
    private const int EEXIST = 17;
    private const uint FICLONE = 0x40049409;
    private const uint BLKGETSIZE64 = 0x80081272;
    private const int FALLOC_FL_KEEP_SIZE = 0x01;
    private const int FALLOC_FL_PUNCH_HOLE = 0x02;
    private const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_CLOEXEC = 0x80000;
    private const ulong ST_RDONLY = 1;

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long lseek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int ioctl_int(int fd, uint request, int arg);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int ioctl_u64(int fd, uint request, out ulong arg);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int ioctl_range(int fd, uint request, ulong* range);

    /// <summary>_IO(0x12, 127): zero a byte range of a block device ({start, length}, both multiples of its logical block).</summary>
    private const uint BLKZEROOUT = 0x127F;

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int fallocate(int fd, int mode, long offset, long len);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string existing, string created);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", EntryPoint = "statvfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statvfs(string path, byte* buf);

    [LibraryImport("libc", EntryPoint = "getuid")]
    private static partial uint getuid();

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int sync_file_range(int fd, long offset, long nbytes, uint flags);

    private const uint SYNC_FILE_RANGE_WRITE = 2;

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int posix_fadvise(int fd, long offset, long length, int advice);

    private const int POSIX_FADV_DONTNEED = 4;

    public static bool IsLinux => OperatingSystem.IsLinux();

    // O_DIRECTORY and O_DIRECT have each other's values on arm64 (its own fcntl.h) and x86-64 (the generic one).
    private static bool IsArm64 => RuntimeInformation.ProcessArchitecture is Architecture.Arm64;

    private static int O_DIRECTORY => IsArm64 ? 0x4000 : 0x10000;

    public static int O_DIRECT => IsArm64 ? 0x10000 : 0x4000;

    /// <summary>open(2): a descriptor, or -1 with the error in <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    public static int Open(string path, int flags) => open(path, flags);

    public static int Close(int fd) => close(fd);

    /// <summary>
    /// The next data region at or after <paramref name="offset"/>: returns false when only a hole follows.
    /// Without SEEK_DATA support the whole rest of the file counts as data.
    /// </summary>
    public static bool NextData(SafeFileHandle handle, long offset, long length, out long dataStart, out long dataEnd)
    {
        dataStart = offset;
        dataEnd = length;
        if (!IsLinux || offset >= length)
        {
            return offset < length;
        }
        var fd = (int)handle.DangerousGetHandle();
        var start = lseek(fd, offset, SEEK_DATA);
        if (start < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == ENXIO)
            {
                return false;
            }
            return true; // EINVAL etc.: the file system cannot tell; treat as data.
        }
        var end = lseek(fd, start, SEEK_HOLE);
        dataStart = start;
        dataEnd = end < 0 ? length : Math.Min(end, length);
        return start < length;
    }

    /// <summary>Clones <paramref name="source"/> into <paramref name="destination"/> by reflink; false when unsupported.</summary>
    public static bool TryReflink(SafeFileHandle source, SafeFileHandle destination)
    {
        if (!IsLinux)
        {
            return false;
        }
        return ioctl_int((int)destination.DangerousGetHandle(), FICLONE, (int)source.DangerousGetHandle()) == 0;
    }

    /// <summary>Size of a block device in bytes, or null when the handle is not one.</summary>
    public static long? BlockDeviceSize(SafeFileHandle handle)
    {
        if (!IsLinux)
        {
            return null;
        }
        return ioctl_u64((int)handle.DangerousGetHandle(), BLKGETSIZE64, out var size) == 0 ? (long)size : null;
    }

    /// <summary>Deallocates a range while keeping the file size; false when the file system cannot.</summary>
    public static bool TryPunchHole(SafeFileHandle handle, long offset, long length)
    {
        if (!IsLinux || length <= 0)
        {
            return false;
        }
        return fallocate((int)handle.DangerousGetHandle(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length) == 0;
    }

    /// <summary>
    /// Zeroes a range of a block device in the kernel (BLKZEROOUT: the device's write-zeroes or discard-that-zeroes
    /// where it has them, else zero pages written by the kernel); false when the device or platform cannot.
    /// </summary>
    public static unsafe bool TryZeroOut(SafeFileHandle device, long offset, long length)
    {
        if (!IsLinux || length <= 0)
        {
            return false;
        }
        var range = stackalloc ulong[2];
        range[0] = (ulong)offset;
        range[1] = (ulong)length;
        return ioctl_range((int)device.DangerousGetHandle(), BLKZEROOUT, range) == 0;
    }

    /// <summary>
    /// Starts writing a file's dirty pages to disk without waiting (Linux), so that the fsync at the end finds
    /// little left to do and the disk works while the CPUs do; elsewhere nothing happens.
    /// </summary>
    public static void StartWriteback(SafeFileHandle handle) => StartWriteback(handle, 0, 0);

    /// <summary>The same for <paramref name="length"/> bytes at <paramref name="offset"/> (0: to the end).</summary>
    public static void StartWriteback(SafeFileHandle handle, long offset, long length)
    {
        if (IsLinux)
        {
            sync_file_range((int)handle.DangerousGetHandle(), offset, length, SYNC_FILE_RANGE_WRITE);
        }
    }

    /// <summary>
    /// Advises the kernel that a range (length 0: to the end) will not be read soon: its clean pages are freed
    /// for reuse (dirty ones are written first, not waited for). A hint; failures are ignored.
    /// </summary>
    public static void DropFromCache(SafeFileHandle handle, long offset, long length)
    {
        if (IsLinux)
        {
            _ = posix_fadvise((int)handle.DangerousGetHandle(), offset, length, POSIX_FADV_DONTNEED);
        }
    }

    /// <summary>
    /// Gives the file <paramref name="existing"/> a second name, <paramref name="created"/> (link(2)). False, with
    /// nothing changed, where there are no hard links (Windows, some file systems and servers) or the file has too
    /// many; the caller then writes a file of its own, and a real problem (no space, no permission) shows there.
    /// </summary>
    public static bool TryHardLink(string existing, string created)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }
        if (link(existing, created) == 0)
        {
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        return errno == EEXIST ? throw new IOException($"'{created}' already exists.", errno) : false;
    }

    /// <summary>Makes a rename or create inside <paramref name="directory"/> durable.</summary>
    public static void FsyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var fd = open(directory, O_RDONLY | (IsLinux ? O_DIRECTORY : 0));
        if (fd < 0)
        {
            return;
        }
        try
        {
            fsync(fd);
        }
        finally
        {
            close(fd);
        }
    }

    public static void Fsync(SafeFileHandle handle)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        if (fsync((int)handle.DangerousGetHandle()) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"fsync failed (errno {errno}).", errno);
        }
    }

    public static unsafe bool IsOnReadOnlyFileSystem(string path)
    {
        if (!IsLinux)
        {
            return false;
        }
        // struct statvfs on 64-bit Linux: eleven 8-byte fields then spare ints; f_flag is the tenth (offset 72).
        var buf = stackalloc byte[256];
        if (statvfs(path, buf) != 0)
        {
            return false;
        }
        return (*(ulong*)(buf + 72) & ST_RDONLY) != 0;
    }

    /// <summary>
    /// Bytes this process may still write on the file system holding <paramref name="path"/> (root may use the
    /// reserved blocks too), or null when unknown.
    /// </summary>
    public static unsafe long? AvailableBytes(string path)
    {
        if (!IsLinux)
        {
            return null;
        }
        // struct statvfs on 64-bit Linux: f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, ... (8 bytes each).
        var buf = stackalloc byte[256];
        if (statvfs(path, buf) != 0)
        {
            return null;
        }
        var fragment = *(ulong*)(buf + 8);
        var blocks = IsRoot ? *(ulong*)(buf + 24) : *(ulong*)(buf + 32);
        return (long)Math.Min(long.MaxValue, (double)blocks * fragment);
    }

    public static bool IsRoot => !OperatingSystem.IsWindows() && getuid() == 0;
}
