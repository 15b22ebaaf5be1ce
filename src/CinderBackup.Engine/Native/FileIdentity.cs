using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Engine.Native;

/// <summary>
/// What a path or an open file is, from statx(2) (one layout on every Linux architecture): its type, and the identity
/// that says whether two names are one file — device and inode, or for a block device the device it opens (two
/// device nodes, or a link and its target, open one disk). Elsewhere the type comes from .NET and the identity is
/// the fully resolved path.
/// </summary>
internal readonly partial record struct FileIdentity(FileKind Kind, ulong Device, ulong Inode, string? ResolvedPath)
{
    private const int AT_FDCWD = -100;
    private const int AT_SYMLINK_NOFOLLOW = 0x100;
    private const int AT_EMPTY_PATH = 0x1000;
    private const uint STATX_TYPE = 0x1;
    private const uint STATX_INO = 0x100;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int ELOOP = 40;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>True when both name the same file (or the same block device).</summary>
    public bool SameAs(FileIdentity other) => Kind == FileKind.BlockDevice
        ? other.Kind == FileKind.BlockDevice && Device == other.Device && (ResolvedPath is null || ResolvedPath == other.ResolvedPath)
        : Kind == other.Kind && Device == other.Device && Inode == other.Inode && ResolvedPath == other.ResolvedPath;

    /// <summary>What <paramref name="path"/> leads to (links followed unless <paramref name="followLinks"/> is false); null when nothing is there.</summary>
    public static unsafe FileIdentity? Of(string path, bool followLinks = true)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Managed(path, followLinks);
        }
        var buffer = stackalloc byte[256];
        if (statx(AT_FDCWD, path, followLinks ? 0 : AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR or ELOOP)
            {
                return null;
            }
            throw new IOException($"Cannot examine '{path}' (errno {errno}).", errno);
        }
        return Parse(buffer);
    }

    /// <summary>What an open file is (fstat).</summary>
    public static unsafe FileIdentity Of(SafeFileHandle handle, string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Managed(path, followLinks: true) ?? throw new IOException($"'{path}' is gone.");
        }
        var buffer = stackalloc byte[256];
        if (statx((int)handle.DangerousGetHandle(), "", AT_EMPTY_PATH, STATX_TYPE | STATX_INO, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot examine the open file '{path}' (errno {errno}).", errno);
        }
        return Parse(buffer);
    }

    // struct statx: stx_mode (u16) at 28, stx_ino (u64) at 32, stx_rdev_major/minor (u32) at 128/132,
    // stx_dev_major/minor (u32) at 136/140.
    private static unsafe FileIdentity Parse(byte* b)
    {
        var mode = *(ushort*)(b + 28);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x6000 => FileKind.BlockDevice,
            0x2000 => FileKind.CharacterDevice,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.Other,
        };
        var rdev = ((ulong)*(uint*)(b + 128) << 32) | *(uint*)(b + 132);
        var dev = ((ulong)*(uint*)(b + 136) << 32) | *(uint*)(b + 140);
        return kind == FileKind.BlockDevice
            ? new FileIdentity(kind, rdev, 0, null)
            : new FileIdentity(kind, dev, *(ulong*)(b + 32), null);
    }

    private static FileIdentity? Managed(string path, bool followLinks)
    {
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null)
        {
            return null;
        }
        if (info.LinkTarget is not null && !followLinks)
        {
            return new FileIdentity(FileKind.SymbolicLink, 0, 0, Path.GetFullPath(path));
        }
        var final = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true);
        if (final is null || !final.Exists)
        {
            return null;
        }
        return new FileIdentity(final is DirectoryInfo ? FileKind.Directory : FileKind.Regular, 0, 0, Path.GetFullPath(final.FullName));
    }
}
