using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Native.Ceph;
using CinderBackup.Engine.Pipeline;
using CinderBackup.Engine.Util;
using CinderBackup.Engine.Volumes;
using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Engine.Restore;

/// <summary>
/// Restores a planned chain into a target volume: many objects at once through a <see cref="PieceRunner"/>,
/// positional writes, each block checked against the requested backup's SHA-256 list before it is written and
/// each object's MD5 checked. On a new (sparse) target zero blocks are skipped; on an existing file they are
/// punched out, on a device written.
/// </summary>
internal sealed class RestoreWriter
{
    /// <summary>Bytes written between two nudges to start writing back.</summary>
    private const long WritebackBytes = 64L << 20;

    private readonly RestoreRequest _r;

    public RestoreWriter(RestoreRequest request) => _r = request;

    public RestoreResult Run()
    {
        var requested = _r.Chain[0];
        using var checks = ChainPlan.Load(_r.Chain, _r.TempDirectory);
        var plan = checks.Plan;
        var piece = PieceRunner.Piece(checks.Chunk);
        if (RbdLocation.Is(_r.TargetPath))
        {
            return RunRbd(checks, piece);
        }
        SafeFileHandle target;
        try
        {
            target = _r.TargetIdentity is { } identity
                ? VolumeFile.Open(_r.TargetPath, write: true, identity)
                : File.OpenHandle(_r.TargetPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError, $"Cannot open the target volume '{_r.TargetPath}' for writing: {e.Message}", _r.TargetPath, e);
        }
        using (target)
        {
            var deviceSize = Native.LibC.BlockDeviceSize(target);
            var isDevice = deviceSize is not null;
            var capacity = deviceSize ?? RandomAccess.GetLength(target);
            if (capacity < plan.VolumeBytes)
            {
                if (isDevice || !_r.MayGrowTarget)
                {
                    throw new CinderBackupException(ErrorIds.VolumeTooSmall, ErrorKind.InvalidArgument,
                        $"The target '{_r.TargetPath}' holds {capacity} bytes; the backup needs {plan.VolumeBytes}.", _r.TargetPath);
                }
                RandomAccess.SetLength(target, plan.VolumeBytes);
            }
            long written = 0, kicked = 0;
            ObjectCheck.Sink sink = (offset, data, zero) =>
            {
                if (Write(target, isDevice, offset, data, zero))
                {
                    Interlocked.Add(ref written, data.Length);
                }
            };
            var next = Jobs(checks, piece, sink);
            void AfterRound()
            {
                if (written - kicked >= WritebackBytes)
                {
                    // Let the disk start on what is written, so the fsync at the end has little left; the pages
                    // written back since the last time are dropped, so the restore recycles a bounded amount of
                    // page cache instead of filling it with fresh pages (see WriteBehindStream).
                    kicked = written;
                    Native.LibC.DropFromCache(target, 0, 0);
                    Native.LibC.StartWriteback(target);
                }
            }
            new PieceRunner(_r.ObjectsInFlight, _r.Workers, piece).Run(next, AfterRound, _r.Cancel);
            var excess = ZeroExcess(target, isDevice, plan.VolumeBytes, capacity);
            try
            {
                Native.LibC.Fsync(target);
            }
            catch (IOException e)
            {
                throw WriteError($"Cannot flush the target volume '{_r.TargetPath}'", e);
            }
            FaultPoints.Hit("restore.flushed");
            return new RestoreResult(plan.VolumeBytes, plan.BytesToWrite, plan.Tasks.Count, plan.SkippedObjects)
            {
                ExcessZeroed = excess?.Bytes ?? 0,
                ExcessMethod = excess?.Method,
            };
        }
    }

    /// <summary>The plan's object jobs writing to <paramref name="sink"/>, reporting progress as pieces and objects are done.</summary>
    private Func<IPieceJob?> Jobs(ChainPlan checks, int piece, ObjectCheck.Sink sink)
    {
        var total = checks.Plan.Tasks.Sum(t => t.Object.Length);
        long done = 0;
        var objects = 0;
        _r.Progress?.Report(new TransferProgress(0, total, 0, 0));
        return checks.Jobs(piece, sink, _r.Throttle, n =>
        {
            var d = Interlocked.Add(ref done, n);
            _r.Progress?.Report(new TransferProgress(d, total, Volatile.Read(ref objects), 0));
        }, () =>
        {
            Interlocked.Increment(ref objects);
            FaultPoints.Hit("restore.object.written");
        });
    }

    /// <summary>
    /// The same restore into an RBD image: positional writes through librbd (several at once), zero blocks skipped on a
    /// new image and zeroed with rbd_write_zeroes on an existing one (no zeros stored), the excess zeroed the same way,
    /// a flush at the end.
    /// </summary>
    private RestoreResult RunRbd(ChainPlan checks, int piece)
    {
        var plan = checks.Plan;
        var at = RbdLocation.FromPath(_r.TargetPath);
        var access = _r.Rbd ?? throw new InvalidOperationException("An RBD target needs its cluster access.");
        var (cluster, pool) = access.OpenPool(at.Pool);
        using (cluster)
        using (pool)
        {
            RbdImage image;
            try
            {
                image = pool.OpenImage(at.Image);
            }
            catch (CephException e)
            {
                throw new CinderBackupException(ErrorIds.VolumeIOError, e.NotFound ? ErrorKind.NotFound : ErrorKind.IOError,
                    $"Cannot open the target RBD image '{at}' for writing: {e.Message}.", at.ToString(), e);
            }
            using (image)
            {
                try
                {
                    var capacity = image.Size;
                    if (capacity < plan.VolumeBytes)
                    {
                        if (!_r.MayGrowTarget)
                        {
                            throw new CinderBackupException(ErrorIds.VolumeTooSmall, ErrorKind.InvalidArgument,
                                $"The target RBD image '{at}' holds {capacity} bytes; the backup needs {plan.VolumeBytes}.", at.ToString());
                        }
                        image.Resize(plan.VolumeBytes);
                    }
                    ObjectCheck.Sink sink = (offset, data, zero) =>
                    {
                        if (zero)
                        {
                            if (!_r.TargetIsNew)
                            {
                                image.WriteZeroes(offset, data.Length); // deallocates whole objects: no zeros stored
                            }
                            return; // a new image reads as zeros already
                        }
                        image.Write(offset, data);
                        FaultPoints.Hit("restore.write");
                    };
                    new PieceRunner(_r.ObjectsInFlight, _r.Workers, piece).Run(Jobs(checks, piece, sink), () => { }, _r.Cancel);
                    long excess = 0;
                    if (_r.DiscardExcess && !_r.TargetIsNew && capacity > plan.VolumeBytes)
                    {
                        FaultPoints.Hit("restore.excess");
                        image.WriteZeroes(plan.VolumeBytes, capacity - plan.VolumeBytes);
                        excess = capacity - plan.VolumeBytes;
                    }
                    image.Flush();
                    FaultPoints.Hit("restore.flushed");
                    return new RestoreResult(plan.VolumeBytes, plan.BytesToWrite, plan.Tasks.Count, plan.SkippedObjects)
                    {
                        ExcessZeroed = excess,
                        ExcessMethod = excess > 0 ? RangeZeroer.Method.ZeroOut : null,
                    };
                }
                catch (CephException e)
                {
                    throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError, $"Write error on the target RBD image '{at}': {e.Message}.", at.ToString(), e);
                }
            }
        }
    }

    /// <summary>
    /// restore_discard_excess_bytes: the target's bytes past the backup's size are made to read as zeros, so nothing of
    /// what the volume held before survives the restore (Cinder's Ceph driver does this; its chunked drivers keep the
    /// old tail). A new target is all holes already. Null when nothing was done.
    /// </summary>
    private (long Bytes, RangeZeroer.Method Method)? ZeroExcess(SafeFileHandle target, bool isDevice, long backupBytes, long capacity)
    {
        if (!_r.DiscardExcess || _r.TargetIsNew || capacity <= backupBytes)
        {
            return null;
        }
        try
        {
            FaultPoints.Hit("restore.excess");
            var method = RangeZeroer.Zero(target, isDevice, backupBytes, capacity, () =>
            {
                _r.Cancel.ThrowIfCancellationRequested();
                FaultPoints.Hit("restore.excess.write");
            });
            FaultPoints.Hit("restore.excess.zeroed");
            return (capacity - backupBytes, method);
        }
        catch (IOException e)
        {
            throw WriteError($"Cannot zero the target volume '{_r.TargetPath}' past the backup's {backupBytes} bytes", e);
        }
    }

    /// <summary>A failed write to the target; when the disk is full, the message says which directory's file system.</summary>
    private CinderBackupException WriteError(string what, IOException e) =>
        new(ErrorIds.VolumeIOError, ErrorKind.IOError,
            DiskSpace.IsNoSpace(e)
                ? $"{DiskSpace.Explain(Path.GetDirectoryName(_r.TargetPath)!)} ({what.Replace($" '{_r.TargetPath}'", "", StringComparison.Ordinal)})" // the full directory first: fail_reason holds 255 characters
                : $"{what}: {e.Message}",
            _r.TargetPath, e);

    /// <summary>Writes verified data; true when bytes went to the page cache (not skipped or punched).</summary>
    private bool Write(SafeFileHandle target, bool isDevice, long offset, ReadOnlySpan<byte> data, bool zero)
    {
        try
        {
            if (zero)
            {
                if (_r.TargetIsNew)
                {
                    return false; // a fresh sparse image already reads as zeros
                }
                if (!isDevice && Native.LibC.TryPunchHole(target, offset, data.Length))
                {
                    return false;
                }
            }
            RandomAccess.Write(target, data, offset);
            FaultPoints.Hit("restore.write");
            return true;
        }
        catch (IOException e)
        {
            throw WriteError($"Write error on the target volume '{_r.TargetPath}' at offset {offset}", e);
        }
    }
}
