using Microsoft.Win32.SafeHandles;

namespace CinderBackup.Engine.Restore;

/// <summary>
/// Makes a byte range of a restore target read as zeros, as cheaply as the target allows: a file gets a hole punched
/// (fallocate PUNCH_HOLE: no data written, blocks given back); a block device is zeroed by the kernel (fallocate
/// PUNCH_HOLE on a device, which uses the device's discard only where it guarantees zeros, then BLKZEROOUT). BLKDISCARD
/// is not used: a device may return the old data after it. Only where none of these works are zeros written, and
/// on a file only over its data regions (holes already read as zeros).
/// </summary>
internal static class RangeZeroer
{
    public enum Method
    {
        PunchHole,
        ZeroOut,
        WriteZeros,
    }

    /// <summary>Alignment of a device range for the kernel's calls (a multiple of any logical block size).</summary>
    private const long DeviceAlign = 4096;

    private static readonly byte[] Zeros = new byte[1 << 20];

    /// <param name="step">Called before each write of the fallback (fault points, cancellation).</param>
    /// <param name="allowNative">False forces the fallback (tests).</param>
    public static Method Zero(SafeFileHandle target, bool isDevice, long start, long end, Action? step = null, bool allowNative = true)
    {
        if (end <= start)
        {
            return Method.PunchHole;
        }
        if (allowNative)
        {
            if (!isDevice)
            {
                if (Native.LibC.TryPunchHole(target, start, end - start))
                {
                    return Method.PunchHole;
                }
            }
            else
            {
                var alignedStart = (start + DeviceAlign - 1) / DeviceAlign * DeviceAlign;
                var alignedEnd = end / DeviceAlign * DeviceAlign;
                if (alignedEnd > alignedStart)
                {
                    var method = Native.LibC.TryPunchHole(target, alignedStart, alignedEnd - alignedStart) ? Method.PunchHole
                        : Native.LibC.TryZeroOut(target, alignedStart, alignedEnd - alignedStart) ? Method.ZeroOut
                        : (Method?)null;
                    if (method is Method done)
                    {
                        WriteZeros(target, start, alignedStart, step);
                        WriteZeros(target, alignedEnd, end, step);
                        return done;
                    }
                }
            }
        }
        if (isDevice)
        {
            WriteZeros(target, start, end, step);
        }
        else
        {
            for (var at = start; Native.LibC.NextData(target, at, end, out var dataStart, out var dataEnd) && dataStart < end; at = dataEnd)
            {
                WriteZeros(target, dataStart, Math.Min(dataEnd, end), step);
            }
        }
        return Method.WriteZeros;
    }

    private static void WriteZeros(SafeFileHandle target, long start, long end, Action? step)
    {
        for (var at = start; at < end; at += Zeros.Length)
        {
            step?.Invoke();
            RandomAccess.Write(target, Zeros.AsSpan(0, (int)Math.Min(Zeros.Length, end - at)), at);
        }
    }
}
