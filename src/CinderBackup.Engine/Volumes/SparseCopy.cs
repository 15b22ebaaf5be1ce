using CinderBackup.Engine.Util;


namespace CinderBackup.Engine.Volumes;

/// <summary>
/// Point-in-time copies of images: a reflink (FICLONE) where the file system shares extents, otherwise a
/// copy of only the data regions, skipping holes and all-zero blocks, so the copy stays sparse.
/// </summary>
internal static class SparseCopy
{
    private const int Chunk = 1 << 20;

    /// <summary>
    /// Copies <paramref name="source"/> to a new file; returns true when it was a reflink. For a registered path,
    /// <paramref name="expected"/> is the file its check found, which the open must find again.
    /// </summary>
    public static bool Copy(string source, string destination, CancellationToken cancel = default, Native.FileIdentity? expected = null)
    {
        LocalFiles.EnsurePrivateDirectory(Path.GetDirectoryName(destination)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using var src = expected is { } e
                ? VolumeFile.Open(source, write: false, e)
                : File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var dstStream = new FileStream(destination, options);
            var dst = dstStream.SafeFileHandle;
            var length = Native.LibC.BlockDeviceSize(src) ?? RandomAccess.GetLength(src);
            if (Native.LibC.TryReflink(src, dst))
            {
                return true;
            }
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Chunk);
            try
            {
                long offset = 0;
                while (Native.LibC.NextData(src, offset, length, out var dataStart, out var dataEnd))
                {
                    for (var pos = dataStart; pos < dataEnd; pos += Chunk)
                    {
                        cancel.ThrowIfCancellationRequested();
                        var want = (int)Math.Min(Chunk, dataEnd - pos);
                        var span = buffer.AsSpan(0, want);
                        var got = LocalFiles.ReadFully(src, span, pos);
                        if (got == 0)
                        {
                            break;
                        }
                        if (span[..got].IndexOfAnyExcept((byte)0) >= 0)
                        {
                            RandomAccess.Write(dst, span[..got], pos);
                        }
                    }
                    offset = dataEnd;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
            RandomAccess.SetLength(dst, length);
            Native.LibC.Fsync(dst);
            return false;
        }
        catch
        {
            TryDelete(destination);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
