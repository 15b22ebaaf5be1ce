namespace CinderBackup.Engine.Volumes;

/// <summary>The file pool: sparse raw images named <c>volume-&lt;id&gt;</c> in one directory.</summary>
internal static class FilePool
{
    public const long GiB = 1L << 30;

    public static string ImagePath(string poolDirectory, string volumeId) => Path.Combine(poolDirectory, "volume-" + volumeId);

    /// <summary>Creates a sparse image of <paramref name="bytes"/> bytes; it allocates nothing until written.</summary>
    public static void Create(string path, long bytes)
    {
        EnsurePrivateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var fs = new FileStream(path, options);
        fs.SetLength(bytes);
    }

    /// <summary>Grows an image; the new tail is a hole.</summary>
    public static void Extend(string path, long bytes)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write);
        if (bytes > fs.Length)
        {
            fs.SetLength(bytes);
        }
    }

    public static void Delete(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    public static void EnsurePrivateDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
