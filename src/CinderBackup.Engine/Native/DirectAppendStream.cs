using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Engine.Native;

/// <summary>
/// A write-only, append-only stream over a new file that sends aligned chunks through a <see cref="DirectFile"/>,
/// past the page cache; <see cref="Complete"/> writes the last, partial chunk padded with zeros and cuts the file
/// to its true length. For backup objects, which are written once and not read back soon. Small writes (codec
/// output) gather in a buffer of 64 KiB that doubles up to 256 KiB; large ones (raw data) go straight to the
/// direct writes. An object that never fills the first buffer is written normally, in one write.
/// </summary>
internal sealed class DirectAppendStream : Stream
{
    private const int FirstBuffer = 64 * 1024;
    private const int MaxBuffer = 256 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private DirectFile? _direct;
    private bool _opened;
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(FirstBuffer);
    private int _size = FirstBuffer;
    private int _buffered;
    private long _flushed;
    private bool _completed;

    /// <param name="handle">The file, open normally (for small objects, refused direct writes and the length);
    /// the stream does not own it.</param>
    /// <param name="path">The file's path, to open it for direct writes when the first chunk is due.</param>
    public DirectAppendStream(SafeFileHandle handle, string path)
    {
        _handle = handle;
        _path = path;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _flushed + _buffered;

    public override long Position
    {
        get => Length;
        set => throw new NotSupportedException("An append-only stream cannot seek.");
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override void Write(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (_completed && data.Length > 0)
        {
            throw new InvalidOperationException("The object is complete; nothing can be added.");
        }
        while (data.Length > 0)
        {
            if (_buffered == 0 && data.Length >= MaxBuffer)
            {
                var aligned = data.Length / DirectFile.Alignment * DirectFile.Alignment;
                WriteChunk(data[..aligned]);
                data = data[aligned..];
                continue;
            }
            var n = Math.Min(data.Length, _size - _buffered);
            data[..n].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += n;
            data = data[n..];
            if (_buffered == _size)
            {
                WriteChunk(_buffer.AsSpan(0, _size));
                _buffered = 0;
                if (_size < MaxBuffer)
                {
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _size *= 2;
                    _buffer = ArrayPool<byte>.Shared.Rent(_size);
                }
            }
        }
    }

    /// <summary>Writes an aligned chunk at the end of what is written, directly where the file allows it.</summary>
    private void WriteChunk(ReadOnlySpan<byte> chunk)
    {
        if (!_opened)
        {
            _direct = DirectFile.TryOpen(_path, _handle);
            _opened = true;
        }
        if (_direct is not null)
        {
            _direct.Write(chunk, _flushed);
        }
        else
        {
            RandomAccess.Write(_handle, chunk, _flushed);
        }
        _flushed += chunk.Length;
    }

    /// <summary>
    /// Writes what is buffered and waits for every write: an object that never filled a chunk goes through the
    /// page cache in one write; otherwise the last chunk goes out padded to the alignment and the file is cut
    /// to its length. Writing afterwards is an error.
    /// </summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (_completed)
        {
            return;
        }
        _completed = true;
        if (!_opened)
        {
            RandomAccess.Write(_handle, _buffer.AsSpan(0, _buffered), 0);
            _flushed = _buffered;
            _buffered = 0;
            return;
        }
        var tail = _buffered;
        var length = _flushed + tail;
        var padded = (tail + DirectFile.Alignment - 1) / DirectFile.Alignment * DirectFile.Alignment;
        if (tail > 0)
        {
            _buffer.AsSpan(tail, padded - tail).Clear();
            WriteChunk(_buffer.AsSpan(0, padded));
            _buffered = 0;
        }
        _direct?.Wait();
        if (padded != tail)
        {
            RandomAccess.SetLength(_handle, length); // the padding goes
        }
        _flushed = length;
    }

    /// <summary>Nothing to do before <see cref="Complete"/>: the data is written as it comes.</summary>
    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_buffer is not null)
        {
            _direct?.Dispose(); // waits for queued writes, whose errors no longer matter
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
        base.Dispose(disposing);
    }
}
