using CinderBackup.Engine.Errors;
using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Engine.Volumes;

/// <summary>Checks that a path is a readable image file or block device and measures it.</summary>
internal static class DeviceProbe
{
    /// <summary>Size in bytes of an image file or block device; throws a clear error when it cannot be read.</summary>
    public static long Measure(string path)
    {
        if (Directory.Exists(path))
        {
            throw Invalid(path, "is a directory, not an image file or block device");
        }
        if (!File.Exists(path) && !IsDevice(path))
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.NotFound,
                $"The path '{path}' does not exist.", path);
        }
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Invalid(path, $"cannot be read: {e.Message}", e);
        }
        using (handle)
        {
            var device = Native.LibC.BlockDeviceSize(handle);
            if (device is long d)
            {
                return d;
            }
            long length;
            try
            {
                length = RandomAccess.GetLength(handle);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Invalid(path, $"cannot be measured: {e.Message}", e);
            }
            // Prove it is readable, not just openable (e.g. a FIFO or a broken device).
            if (length > 0)
            {
                Span<byte> one = stackalloc byte[1];
                try
                {
                    RandomAccess.Read(handle, one, 0);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw Invalid(path, $"cannot be read: {e.Message}", e);
                }
            }
            return length;
        }
    }

    private static bool IsDevice(string path) =>
        !OperatingSystem.IsWindows() && path.StartsWith("/dev/", StringComparison.Ordinal) && new FileInfo(path).Exists;

    private static CinderBackupException Invalid(string path, string what, Exception? inner = null) =>
        new(ErrorIds.InvalidPath, ErrorKind.InvalidArgument, $"The path '{path}' {what}.", path, inner);
}
