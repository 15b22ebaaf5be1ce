using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.ObjectStores.S3;

/// <summary>
/// An S3 object being written: a local temporary file. <see cref="Commit"/> hands the file to the store's upload
/// queue (which deletes it when the upload ends); disposing an uncommitted object deletes the file.
/// </summary>
internal sealed class S3StagedObject : IStagedObject
{
    private readonly S3ObjectStore _store;
    private readonly string _container;
    private readonly string _path;
    private FileStream? _stream;
    private bool _handedOver;

    public S3StagedObject(S3ObjectStore store, string container, string path)
    {
        _store = store;
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
                $"Cannot create the staging file '{path}' for repository '{store.Repository}': {e.Message}", path, e);
        }
    }

    public Stream Stream => _stream ?? throw new ObjectDisposedException(nameof(S3StagedObject));

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
                $"Cannot write the staging file '{_path}' for repository '{_store.Repository}': {e.Message}", _path, e);
        }
        _store.Enqueue(_container, name, _path);
        _handedOver = true;
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        if (!_handedOver)
        {
            try
            {
                File.Delete(_path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
