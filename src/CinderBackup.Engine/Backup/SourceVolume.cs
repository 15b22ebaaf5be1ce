using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Util;
using CinderBackup.Engine.Volumes;
using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Engine.Backup;

/// <summary>
/// A volume (image, device or snapshot, or an RBD image's snapshot) opened for reading: its length, positional reads
/// shared by all workers, and its data map (holes found with SEEK_DATA/SEEK_HOLE, or unallocated in RBD, are never
/// read). An RBD source may also know which extents changed since an earlier snapshot (<see cref="ChangedIn"/>).
/// </summary>
internal sealed class SourceVolume : IDisposable
{
    /// <summary>Holes shorter than this are read like data rather than becoming objects of their own.</summary>
    public const long MinimumHole = 1 << 20;

    private readonly SafeFileHandle? _handle;
    private readonly RbdSource? _rbd;
    private long _bytesRead;

    private SourceVolume(string path, SafeFileHandle? handle, RbdSource? rbd, long length)
    {
        Path = path;
        _handle = handle;
        _rbd = rbd;
        Length = length;
    }

    public string Path { get; }

    public long Length { get; }

    /// <summary>Bytes read from the volume so far (holes are not read).</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>For an RBD source read with a diff: its changes since the parent backup's snapshot are known (<see cref="ChangedIn"/>); false: every block is read and compared.</summary>
    public bool KnowsChanges => _rbd?.KnowsChanges ?? false;

    /// <summary>
    /// When <see cref="KnowsChanges"/>: the block-aligned extents changed since the parent backup's snapshot that overlap
    /// [start, end), sorted and disjoint; everything else is as the parent has it.
    /// </summary>
    public IReadOnlyList<(long Start, long End)> ChangedIn(long start, long end) => _rbd!.ChangedIn(start, end);

    /// <summary>The request's source: an RBD snapshot (<c>rbd:POOL/IMAGE@SNAP</c>) or a file or device.</summary>
    public static SourceVolume Open(BackupWriteRequest r)
    {
        if (!RbdLocation.Is(r.SourcePath))
        {
            return Open(r.SourcePath, "the volume", r.SourceIdentity);
        }
        var access = r.Rbd ?? throw new InvalidOperationException("An RBD source needs its cluster access.");
        var rbd = RbdSource.Open(access, RbdLocation.FromPath(r.SourcePath), r.RbdDiffFrom, r.ShaBlockSize);
        return new SourceVolume(r.SourcePath, null, rbd, rbd.Length);
    }

    public static SourceVolume Open(string path, string what, Native.FileIdentity? expected = null)
    {
        try
        {
            var handle = expected is { } e
                ? VolumeFile.Open(path, write: false, e)
                : File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.None);
            var length = Native.LibC.BlockDeviceSize(handle) ?? RandomAccess.GetLength(handle);
            return new SourceVolume(path, handle, null, length);
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
            got = _rbd is { } rbd ? rbd.Read(buffer, offset) : LocalFiles.ReadFully(_handle!, buffer, offset);
            Interlocked.Add(ref _bytesRead, got);
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
        foreach (var (ds, de) in DataExtents(start, end))
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

    /// <summary>The extents holding data within [start, end), in order (they may reach past either end).</summary>
    private IEnumerable<(long Start, long End)> DataExtents(long start, long end)
    {
        if (_rbd is { } rbd)
        {
            foreach (var extent in rbd.Allocated(start, end))
            {
                yield return extent;
            }
            yield break;
        }
        var pos = start;
        while (pos < end && Native.LibC.NextData(_handle!, pos, Length, out var ds, out var de) && ds < end)
        {
            yield return (ds, de);
            pos = Math.Max(de, pos + 1);
        }
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _rbd?.Dispose();
    }
}
