using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Engine.Native;

/// <summary>
/// Direct writes to one file through <see cref="DirectIo"/>. Each write is copied into one of
/// <see cref="Buffers"/> aligned buffers shared by the process and queued, so memory stays bounded and a writer
/// faster than the disk waits; buffers are held only while their write runs, so writers never wait on each
/// other. <see cref="Wait"/> waits for this file's writes and reports the first failure.
/// </summary>
internal sealed class DirectFile : IDisposable
{
    public const int Alignment = DirectIo.Alignment;
    public const int BufferSize = 1 << 20;
    private const int Buffers = 8;

    private static readonly ConcurrentBag<IntPtr> Free = new();
    private static readonly SemaphoreSlim Available = new(Buffers, Buffers);

    private readonly object _gate = new();
    private readonly string _path;
    private readonly SafeFileHandle _fallback;
    private int _fd;
    private int _pending;
    private Exception? _error;

    private DirectFile(int fd, SafeFileHandle fallback, string path)
    {
        _fd = fd;
        _path = path;
        _fallback = fallback; // referenced by TryOpen, so writes still queued keep it open
    }

    /// <summary>
    /// Opens <paramref name="path"/> for direct writes, with <paramref name="normal"/> (an open handle of the same
    /// file) for writes the file system refuses; null where direct I/O is not possible at all.
    /// </summary>
    public static DirectFile? TryOpen(string path, SafeFileHandle normal)
    {
        var added = false;
        normal.DangerousAddRef(ref added);
        var fd = DirectIo.OpenForWriting(path);
        if (fd < 0)
        {
            normal.DangerousRelease();
            return null;
        }
        return new DirectFile(fd, normal, path);
    }

    /// <summary>Queues <paramref name="data"/> (copied) to be written at <paramref name="offset"/>; both aligned.</summary>
    public unsafe void Write(ReadOnlySpan<byte> data, long offset)
    {
        if (offset % Alignment != 0 || data.Length % Alignment != 0)
        {
            throw new ArgumentException("Direct writes must be aligned.");
        }
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        var fallback = (int)_fallback.DangerousGetHandle();
        while (data.Length > 0)
        {
            ThrowIfFailed();
            var n = Math.Min(data.Length, BufferSize);
            Available.Wait();
            IntPtr buffer;
            try
            {
                if (!Free.TryTake(out buffer))
                {
                    buffer = DirectIo.Allocate(BufferSize);
                }
            }
            catch
            {
                Available.Release(); // no buffer was taken
                throw;
            }
            data[..n].CopyTo(new Span<byte>((void*)buffer, n));
            lock (_gate)
            {
                _pending++;
            }
            DirectIo.Submit(new DirectIo.Request(_fd, fallback, buffer, n, offset, error => Written(buffer, error)));
            data = data[n..];
            offset += n;
        }
    }

    private void Written(IntPtr buffer, Exception? error)
    {
        Free.Add(buffer);
        Available.Release();
        lock (_gate)
        {
            _error ??= error;
            _pending--;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until every queued write is done; throws the first that failed.</summary>
    public void Wait()
    {
        WaitForPending();
        ThrowIfFailed();
    }

    private void WaitForPending()
    {
        lock (_gate)
        {
            while (_pending > 0)
            {
                Monitor.Wait(_gate);
            }
        }
    }

    private void ThrowIfFailed()
    {
        Exception? error;
        lock (_gate)
        {
            error = _error;
        }
        if (error is not null)
        {
            throw new IOException($"{error.Message} : '{_path}'", error);
        }
    }

    public void Dispose()
    {
        WaitForPending();
        if (_fd >= 0)
        {
            LibC.Close(_fd);
            _fd = -1;
            _fallback.DangerousRelease();
        }
    }
}
