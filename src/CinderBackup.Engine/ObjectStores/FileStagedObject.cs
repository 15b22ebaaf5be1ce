using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.ObjectStores;

/// <summary>
/// An object being written to a remote store (S3, Swift): a local temporary file, mode 0600. <see cref="Commit"/> hands
/// the file to the store's <see cref="UploadQueue"/> (which deletes it when the upload ends); disposing an uncommitted
/// object deletes the file.
/// </summary>
internal sealed class FileStagedObject : IStagedObject
{
    private readonly string _repository;
    private readonly string _container;
    private readonly string _path;
    private readonly UploadQueue _queue;
    private FileStream? _stream;
    private bool _handedOver;

    public FileStagedObject(string repository, UploadQueue queue, string container, string path)
    {
        _repository = repository;
        _queue = queue;
        _container = container;
        _path = path;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, BufferSize = 1 << 16 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            _stream = new FileStream(path, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.IOError,
                $"Cannot create the staging file '{path}' for repository '{repository}': {e.Message}", path, e);
        }
    }

    public Stream Stream => _stream ?? throw new ObjectDisposedException(nameof(FileStagedObject));

    public void WriteZeros(long length)
    {
        var s = _stream!;
        s.SetLength(0);
        s.SetLength(length); // sparse: the temporary file allocates nothing
        s.Position = length;
    }

    public void Commit(string name)
    {
        var s = _stream!;
        try
        {
            s.Flush();
            s.Dispose();
            _stream = null;
        }
        catch (IOException e)
        {
            throw new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.IOError,
                $"Cannot write the staging file '{_path}' for repository '{_repository}': {e.Message}", _path, e);
        }
        _queue.Enqueue(_container, name, _path);
        _handedOver = true;
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        if (!_handedOver)
        {
            TryDelete(_path);
        }
    }

    /// <summary>Staging files left by operations that were killed, tagged <paramref name="tag"/>, in <paramref name="directory"/>.</summary>
    public static void RemoveTagged(string directory, string prefix, string tag)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }
        foreach (var f in Directory.EnumerateFiles(directory, $"{prefix}{tag}-*"))
        {
            TryDelete(f);
        }
    }

    public static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
