using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Util;
using CinderBackup.Engine.Volumes;
using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Engine.Backup;

/// <summary>
/// A volume (image, device or snapshot) opened for reading: its length, positional reads shared by all
/// workers, and its data map (holes found with SEEK_DATA/SEEK_HOLE are never read).
/// </summary>
internal sealed class SourceVolume : IDisposable
{
    /// <summary>Holes shorter than this are read like data rather than becoming objects of their own.</summary>
    public const long MinimumHole = 1 << 20;

    private readonly SafeFileHandle _handle;

    private SourceVolume(string path, SafeFileHandle handle, long length)
    {
        Path = path;
        _handle = handle;
        Length = length;
    }

    public string Path { get; }

    public long Length { get; }

    public SafeFileHandle Handle => _handle;

    public static SourceVolume Open(string path, string what, Native.FileIdentity? expected = null)
    {
        try
        {
            var handle = expected is { } e
                ? VolumeFile.Open(path, write: false, e)
                : File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.None);
            var length = Native.LibC.BlockDeviceSize(handle) ?? RandomAccess.GetLength(handle);
            return new SourceVolume(path, handle, length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError,
                $"Cannot read {what} at '{path}': {e.Message}", path, e);
        }
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>.</summary>
    public void Read(Span<byte> buffer, long offset)
    {
        int got;
        try
        {
            got = LocalFiles.ReadFully(_handle, buffer, offset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError,
                $"Read error on '{Path}' at offset {offset}: {e.Message}", Path, e);
        }
        if (got != buffer.Length)
        {
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError,
                $"'{Path}' ended at offset {offset + got} while reading to {offset + buffer.Length}; it shrank during the backup.", Path);
        }
    }

    /// <summary>
    /// [start, end) split into data and hole runs, boundaries rounded to <paramref name="block"/> (data grows
    /// outward), holes shorter than <see cref="MinimumHole"/> folded into the data next to them.
    /// </summary>
    public List<(long Start, long End, bool Hole)> Runs(long start, long end, long block)
    {
        // 1. Data extents, rounded out to blocks, with short gaps between them merged.
        var data = new List<(long Start, long End)>();
        var pos = start;
        while (pos < end && Native.LibC.NextData(_handle, pos, Length, out var ds, out var de) && ds < end)
        {
            var s = Math.Max(start, ds / block * block);
            var e = Math.Min(end, (Math.Min(de, end) + block - 1) / block * block);
            if (data.Count > 0 && s - data[^1].End < MinimumHole)
            {
                data[^1] = (data[^1].Start, Math.Max(data[^1].End, e));
            }
            else
            {
                data.Add((s, e));
            }
            pos = Math.Max(de, pos + 1);
        }
        if (data.Count == 0)
        {
            return new List<(long, long, bool)> { (start, end, true) };
        }
        // 2. Short holes at the edges join the data; interior holes are long by construction.
        if (data[0].Start - start < MinimumHole)
        {
            data[0] = (start, data[0].End);
        }
        if (end - data[^1].End < MinimumHole)
        {
            data[^1] = (data[^1].Start, end);
        }
        // 3. Alternate holes and data.
        var runs = new List<(long Start, long End, bool Hole)>();
        var cursor = start;
        foreach (var (s, e) in data)
        {
            if (s > cursor)
            {
                runs.Add((cursor, s, true));
            }
            runs.Add((s, e, false));
            cursor = e;
        }
        if (cursor < end)
        {
            runs.Add((cursor, end, true));
        }
        return runs;
    }

    public void Dispose() => _handle.Dispose();
}
