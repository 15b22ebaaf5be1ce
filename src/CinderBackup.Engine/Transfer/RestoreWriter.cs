using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Util;
using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Engine.Transfer;

/// <summary>
/// Restores a planned chain into a target volume: objects in parallel, positional writes, each block checked
/// against the requested backup's SHA-256 list before it is written. On a new (sparse) target zero blocks are
/// skipped; on an existing file they are punched out, on a device written.
/// </summary>
internal sealed class RestoreWriter
{
    private readonly RestoreRequest _r;

    public RestoreWriter(RestoreRequest request) => _r = request;

    public RestoreResult Run()
    {
        var requested = _r.Chain[0];
        using var expected = HashFile.Create(_r.TempDirectory);
        var chunk = ChainLoader.ReadHashes(requested, expected);
        ChainLoader.CheckChunkSizes(_r.Chain, chunk);
        var plan = RestorePlan.Build(_r.Chain, chunk);
        var blocks = (plan.VolumeBytes + chunk - 1) / chunk;
        if (blocks != expected.Count)
        {
            throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                $"Backup {requested.BackupId}: its objects cover {plan.VolumeBytes} bytes ({blocks} blocks) but its sha256 list has {expected.Count} blocks.", requested.Sha256Name);
        }
        SafeFileHandle target;
        try
        {
            target = File.OpenHandle(_r.TargetPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError, $"Cannot open the target volume '{_r.TargetPath}' for writing: {e.Message}", _r.TargetPath, e);
        }
        using (target)
        {
            var isDevice = Native.LibC.BlockDeviceSize(target) is not null;
            var capacity = Native.LibC.BlockDeviceSize(target) ?? RandomAccess.GetLength(target);
            if (capacity < plan.VolumeBytes)
            {
                if (isDevice || !_r.MayGrowTarget)
                {
                    throw new CinderBackupException(ErrorIds.VolumeTooSmall, ErrorKind.InvalidArgument,
                        $"The target '{_r.TargetPath}' holds {capacity} bytes; the backup needs {plan.VolumeBytes}.", _r.TargetPath);
                }
                RandomAccess.SetLength(target, plan.VolumeBytes);
            }
            var total = plan.Tasks.Sum(t => t.Object.Length);
            long done = 0;
            _r.Progress?.Report(new TransferProgress(0, total, 0, 0));
            var objects = 0;
            ObjectCheck.Sink sink = (offset, data, zero) => Write(target, isDevice, offset, data, zero);
            var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _r.Workers), CancellationToken = _r.Cancel };
            try
            {
                Parallel.ForEach(plan.Tasks, options, task =>
                {
                    ObjectCheck.Run(task.Layer, task.Object, task.Writes, expected, chunk, sink, _r.Throttle, n =>
                    {
                        var d = Interlocked.Add(ref done, n);
                        _r.Progress?.Report(new TransferProgress(d, total, Volatile.Read(ref objects), 0));
                    }, _r.Cancel);
                    Interlocked.Increment(ref objects);
                    FaultPoints.Hit("restore.object.written");
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                var first = e.InnerExceptions.FirstOrDefault(x => x is CinderBackupException) ?? e.InnerExceptions[0];
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            }
            try
            {
                Native.LibC.Fsync(target);
            }
            catch (IOException e)
            {
                throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError, $"Cannot flush the target volume '{_r.TargetPath}': {e.Message}", _r.TargetPath, e);
            }
            FaultPoints.Hit("restore.flushed");
            return new RestoreResult(plan.VolumeBytes, plan.BytesToWrite, plan.Tasks.Count, plan.SkippedObjects, requested.Metadata.VolumeMeta);
        }
    }

    private void Write(SafeFileHandle target, bool isDevice, long offset, ReadOnlySpan<byte> data, bool zero)
    {
        try
        {
            if (zero)
            {
                if (_r.TargetIsNew)
                {
                    return; // a fresh sparse image already reads as zeros
                }
                if (!isDevice && Native.LibC.TryPunchHole(target, offset, data.Length))
                {
                    return;
                }
            }
            RandomAccess.Write(target, data, offset);
            FaultPoints.Hit("restore.write");
        }
        catch (IOException e)
        {
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError,
                $"Write error on the target volume '{_r.TargetPath}' at offset {offset}: {e.Message}", _r.TargetPath, e);
        }
    }
}
