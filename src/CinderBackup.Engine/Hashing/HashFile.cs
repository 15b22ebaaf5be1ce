using CinderBackup.Engine.Util;
using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Engine.Hashing;

/// <summary>
/// SHA-256 digests of a volume's blocks, 32 bytes each, in a private temporary file. Workers write their
/// blocks' digests in place (positional, so order does not matter) and the sha256file is streamed from it:
/// memory stays flat however large the volume. A full backup writes only its data objects' digests here (a
/// hole's are constants, which go straight into the list). On Linux and macOS the file loses its name as soon as it is
/// open, so a process killed with -9 leaves nothing in tmp/; <see cref="RemoveStale"/> clears what older versions left.
/// </summary>
internal sealed class HashFile : IDisposable
{
    public const int HashSize = 32;
    private readonly SafeFileHandle _handle;

    private HashFile(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    public string Path { get; }

    /// <summary>Number of digests present (set by writers, or by the reader of a sha256file).</summary>
    public long Count { get; set; }

    public static HashFile Create(string directory)
    {
        LocalFiles.EnsurePrivateDirectory(directory);
        var path = System.IO.Path.Combine(directory, $"hashes-{Guid.NewGuid():N}.bin");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite };
        if (OperatingSystem.IsWindows())
        {
            options.Options = FileOptions.DeleteOnClose; // Windows deletes it when the process ends, however it ends
        }
        else
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        var fs = new FileStream(path, options);
        if (!OperatingSystem.IsWindows())
        {
            // Nameless from now on: the data lives while the handle does and goes with the process.
            File.Delete(path);
        }
        return new HashFile(path, fs.SafeFileHandle);
    }

    /// <summary>
    /// Start-up cleanup: removes the hash files that processes killed before this version left in
    /// <paramref name="directory"/>. A live operation's file has no name here (or, on Windows, is open and cannot be
    /// deleted), so it is never touched. Best effort: a file that cannot be removed stays for the next start.
    /// </summary>
    public static int RemoveStale(string directory)
    {
        var removed = 0;
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory, "hashes-*.bin"))
            {
                try
                {
                    File.Delete(file);
                    removed++;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No tmp/ directory yet, or it cannot be read: nothing to clean.
        }
        return removed;
    }

    public void Write(long index, ReadOnlySpan<byte> digests) => RandomAccess.Write(_handle, digests, index * HashSize);

    public void Read(long index, Span<byte> digests)
    {
        var got = LocalFiles.ReadFully(_handle, digests, index * HashSize);
        if (got != digests.Length)
        {
            throw new InvalidDataException($"Hash list ends at block {index + got / HashSize}, expected at least {index + digests.Length / HashSize}.");
        }
    }

    public void Dispose() => _handle.Dispose();
}
