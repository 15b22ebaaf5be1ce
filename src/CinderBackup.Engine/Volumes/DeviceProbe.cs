using CinderBackup.Engine.Errors;
using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Engine.Volumes;

/// <summary>Checks that a path is a readable image file or block device and measures it.</summary>
internal static class DeviceProbe
{
    /// <summary>
    /// Size in bytes of an image file or block device that <see cref="RegisteredPaths.Check"/> found at
    /// <paramref name="path"/>; throws a clear error when it cannot be read or is no longer that file.
    /// </summary>
    public static long Measure(string path, Native.FileIdentity expected)
    {
        SafeFileHandle handle;
        try
        {
            handle = VolumeFile.Open(path, write: false, expected);
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
            // Prove it is readable, not just openable (e.g. a broken device).
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

    private static CinderBackupException Invalid(string path, string what, Exception? inner = null) =>
        new(ErrorIds.InvalidPath, ErrorKind.InvalidArgument, $"The path '{path}' {what}.", path, inner);
}
