using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.ObjectStores;

/// <summary>
/// The background uploads of a store that stages objects in local files (S3, Swift): a committed file is uploaded by
/// <c>upload</c>, at most <c>slots</c> at a time; the upload owns the file and deletes it when it ends. The first
/// failure is thrown by the next <see cref="Enqueue"/> (so a backup stops soon) or by <see cref="WaitForWrites"/>.
/// </summary>
internal sealed class UploadQueue
{
    private readonly Func<string, string, string, Task> _upload;
    private readonly Func<Exception, CinderBackupException> _wrap;
    private readonly SemaphoreSlim _slots;
    private readonly List<Task> _uploads = new();
    private readonly object _gate = new();
    private Exception? _failure;

    /// <param name="upload">Uploads (container, name, file).</param>
    /// <param name="wrap">Turns a failure that is not a <see cref="CinderBackupException"/> into one naming the repository.</param>
    public UploadQueue(int slots, Func<string, string, string, Task> upload, Func<Exception, CinderBackupException> wrap)
    {
        _slots = new SemaphoreSlim(slots, slots);
        _upload = upload;
        _wrap = wrap;
    }

    /// <summary>Queues the upload of a finished staging file; blocks while every slot is busy.</summary>
    public void Enqueue(string container, string name, string file)
    {
        ThrowFailure();
        _slots.Wait();
        try
        {
            ThrowFailure();
        }
        catch
        {
            _slots.Release();
            throw;
        }
        var task = Task.Run(async () =>
        {
            try
            {
                await _upload(container, name, file).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                lock (_gate)
                {
                    _failure ??= e;
                }
            }
            finally
            {
                FileStagedObject.TryDelete(file);
                _slots.Release();
            }
        });
        lock (_gate)
        {
            _uploads.RemoveAll(t => t.IsCompleted);
            _uploads.Add(task);
        }
    }

    /// <summary>Waits for every upload queued so far and throws the first failure (then forgets it).</summary>
    public void WaitForWrites()
    {
        Task[] pending;
        lock (_gate)
        {
            pending = _uploads.ToArray();
            _uploads.Clear();
        }
        Task.WaitAll(pending); // the tasks record failures instead of throwing
        ThrowFailure(clear: true);
    }

    private void ThrowFailure(bool clear = false)
    {
        Exception? failure;
        lock (_gate)
        {
            failure = _failure;
            if (clear)
            {
                _failure = null;
            }
        }
        if (failure is not null)
        {
            throw failure is CinderBackupException cb ? new CinderBackupException(cb.ErrorId, cb.Kind, cb.Message, cb.Target, cb) : _wrap(failure);
        }
    }
}
