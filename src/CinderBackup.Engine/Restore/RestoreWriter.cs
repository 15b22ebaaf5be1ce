using CinderBackup.Engine.Errors;
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
            var total = plan.Tasks.Sum(t => t.Object.Length);
            long done = 0;
            _r.Progress?.Report(new TransferProgress(0, total, 0, 0));
            var objects = 0;
            long written = 0, kicked = 0;
            ObjectCheck.Sink sink = (offset, data, zero) =>
            {
                if (Write(target, isDevice, offset, data, zero))
                {
                    Interlocked.Add(ref written, data.Length);
                }
            };
            var next = checks.Jobs(piece, sink, _r.Throttle, n =>
            {
                var d = Interlocked.Add(ref done, n);
                _r.Progress?.Report(new TransferProgress(d, total, Volatile.Read(ref objects), 0));
            }, () =>
            {
                objects++;
                FaultPoints.Hit("restore.object.written");
            });
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
