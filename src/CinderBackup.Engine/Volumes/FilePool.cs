using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Volumes;

/// <summary>The file pool: sparse raw images named <c>volume-&lt;id&gt;</c> in one directory.</summary>
internal static class FilePool
{
    public const long GiB = 1L << 30;

    public static string ImagePath(string poolDirectory, string volumeId) => Path.Combine(poolDirectory, "volume-" + volumeId);

    /// <summary>Creates a sparse image of <paramref name="bytes"/> bytes; it allocates nothing until written.</summary>
    public static void Create(string path, long bytes)
    {
        LocalFiles.EnsurePrivateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var fs = new FileStream(path, options);
        SetLength(fs, path, bytes);
    }

    /// <summary>Grows an image; the new tail is a hole.</summary>
    public static void Extend(string path, long bytes)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write);
        if (bytes > fs.Length)
        {
            SetLength(fs, path, bytes);
        }
    }

    /// <summary>
    /// Sets an image's length; a length past what the file system allows for one file (ext4: 16 TiB less 4 KiB) is the
    /// caller's bad input: an error naming the size and the largest whole GiB the pool's file system takes.
    /// </summary>
    private static void SetLength(FileStream fs, string path, long bytes)
    {
        try
        {
            fs.SetLength(bytes);
        }
        catch (Exception e) when (IsTooLarge(e))
        {
            throw TooLarge(Path.GetDirectoryName(path)!, bytes, e);
        }
    }

    /// <summary>Refuses, changing nothing, a length the pool's file system would not allow for an image (probed on a scratch file).</summary>
    public static void CheckFits(string poolDirectory, long bytes)
    {
        if (!Directory.Exists(poolDirectory))
        {
            return; // created with the first volume; Create then reports the size it refuses
        }
        var scratch = Path.Combine(poolDirectory, $".size-probe-{Guid.NewGuid():N}");
        try
        {
            using var fs = new FileStream(scratch, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            fs.SetLength(bytes);
        }
        catch (Exception e) when (IsTooLarge(e))
        {
            throw TooLarge(poolDirectory, bytes, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Cannot probe here; the resize itself reports what goes wrong.
        }
    }

    private static bool IsTooLarge(Exception e) => e is ArgumentOutOfRangeException || e is IOException { HResult: EFBIG };

    private static CinderBackupException TooLarge(string directory, long bytes, Exception e)
    {
        var limit = LargestGiB(directory, bytes / GiB) is long most ? $"allows at most {most} GiB for one volume image" : "refuses a file that large";
        return new CinderBackupException(ErrorIds.InvalidSize, ErrorKind.InvalidArgument,
            $"Invalid input received: Volume size {bytes / GiB} GiB is too large for the file pool '{directory}': its file system {limit}.",
            bytes / GiB, e);
    }

    private const int EFBIG = 27;

    /// <summary>The largest whole number of GiB below <paramref name="refused"/> a sparse file in the directory may have (probed on a scratch file).</summary>
    private static long? LargestGiB(string directory, long refused)
    {
        var scratch = Path.Combine(directory, $".size-probe-{Guid.NewGuid():N}");
        try
        {
            using var fs = new FileStream(scratch, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            long lo = 0, hi = refused;
            while (hi - lo > 1)
            {
                var mid = lo + (hi - lo) / 2;
                try
                {
                    fs.SetLength(mid * GiB);
                    lo = mid;
                }
                catch (Exception e) when (e is ArgumentOutOfRangeException or IOException)
                {
                    hi = mid;
                }
            }
            return lo;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Gives back every block of an image, keeping its length (it reads as zeros); best effort.</summary>
    public static void Discard(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Write);
            var length = fs.Length;
            fs.SetLength(0);
            fs.SetLength(length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    public static void Delete(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
