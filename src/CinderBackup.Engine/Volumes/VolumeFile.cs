using System.Runtime.InteropServices;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Native;
using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Engine.Volumes;

/// <summary>
/// Opens a registered volume's path for a backup, snapshot or restore. The open never blocks (O_NONBLOCK, so a FIFO
/// swapped in cannot hang the command), and what was opened must be the file that was checked just before: the same
/// identity, a regular file or a block device. Otherwise nothing is read or written and the error says why.
/// </summary>
internal static partial class VolumeFile
{
    private const int O_RDONLY = 0;
    private const int O_RDWR = 2;
    private const int O_NONBLOCK = 0x800;
    private const int F_GETFL = 3;
    private const int F_SETFL = 4;

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    public static SafeFileHandle Open(string path, bool write, FileIdentity expected)
    {
        SafeFileHandle handle;
        if (OperatingSystem.IsLinux())
        {
            var fd = LibC.Open(path, (write ? O_RDWR : O_RDONLY) | O_NONBLOCK | LibC.O_CLOEXEC);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"Cannot open '{path}' (errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)}).", errno);
            }
            handle = new SafeFileHandle(fd, ownsHandle: true);
        }
        else
        {
            handle = File.OpenHandle(path, FileMode.Open, write ? FileAccess.ReadWrite : FileAccess.Read, FileShare.ReadWrite);
        }
        try
        {
            var opened = FileIdentity.Of(handle, path);
            if (opened.Kind is not (FileKind.Regular or FileKind.BlockDevice) || !opened.SameAs(expected))
            {
                throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.InvalidState,
                    $"The path '{path}' changed while it was being opened: it no longer leads to the file that was checked. Nothing was read or written.", path);
            }
            if (OperatingSystem.IsLinux())
            {
                var fd = (int)handle.DangerousGetHandle();
                fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) & ~O_NONBLOCK); // ordinary blocking I/O from here on
            }
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
