using System.Diagnostics;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Restore;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// restore_discard_excess_bytes (issue 16, item 12; Cinder's Ceph driver option, default true): a restore into a
/// target larger than the backup leaves nothing of the target's old data past the backup's size, on pool images,
/// registered files and block devices, zeroed cheaply (holes punched, the kernel zeroing a device); with the option
/// false the old tail stays, as with Cinder's chunked drivers.
/// </summary>
public sealed class RestoreExcessTests : IDisposable
{
    private readonly TempHome _home = new();
    private BackupEngine _engine;

    public RestoreExcessTests()
    {
        _home.WriteConfig("backup_file_size: 1MiB\n");
        _engine = EngineFactory.Open(_home);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _home.Dispose();
    }

    private static byte[] Read(string path, long offset, int count)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read);
        var buffer = new byte[count];
        fs.Position = offset;
        fs.ReadExactly(buffer);
        return buffer;
    }

    private static bool AllZero(byte[] data) => Array.TrueForAll(data, b => b == 0);

    /// <summary>A registered image of <paramref name="bytes"/> bytes of pseudo-random data.</summary>
    private string RandomImage(string name, int bytes, int seed)
    {
        var path = _home.File_(name);
        File.WriteAllBytes(path, Array.Empty<byte>());
        using (var fs = new FileStream(path, FileMode.Open))
        {
            fs.SetLength(bytes);
        }
        Disk.WriteRandom(path, 0, bytes, seed);
        return path;
    }

    [Fact]
    public void OldDataPastTheBackupsSizeIsGoneFromALargerPoolVolume()
    {
        var source = _engine.Volumes.Create("src", 1);
        Disk.WriteRandom(source.Path, 0, 4 << 20, 1);
        _engine.Backups.Create(new BackupCreateOptions { Volume = "src", Name = "b" });
        var target = _engine.Volumes.Create("big", 2);
        Disk.WriteRandom(target.Path, 0, 4 << 20, 7);
        Disk.WriteRandom(target.Path, 3L << 29, 4 << 20, 8); // at 1.5 GiB: past the backup's 1 GiB
        Disk.WriteRandom(target.Path, (1L << 30) - (1 << 20), 2 << 20, 9); // across the boundary

        _engine.Backups.Restore("b", "big");

        Assert.Equal(Read(source.Path, 0, 1 << 30).AsSpan().ToArray(), Read(target.Path, 0, 1 << 30));
        Assert.True(AllZero(Read(target.Path, 1L << 30, 1 << 30)), "old data past the backup's size survived the restore");
        Assert.Equal(2L << 30, new FileInfo(target.Path).Length);
        Assert.True(Disk.AllocatedBytes(target.Path) < 6 << 20, $"{Disk.AllocatedBytes(target.Path)} bytes allocated: the tail was written, not punched");
    }

    [Fact]
    public void ARegisteredFileLongerThanAnOddSizedBackupIsZeroedPastIt()
    {
        var source = RandomImage("source.img", (8 << 20) + 12345, 1); // not a whole number of blocks or pages
        _engine.Volumes.Register("src", source);
        _engine.Backups.Create(new BackupCreateOptions { Volume = "src", Name = "b" });
        var target = RandomImage("target.img", 24 << 20, 2);
        _engine.Volumes.Register("dst", target);

        _engine.Backups.Restore("b", "dst");

        Assert.Equal(File.ReadAllBytes(source), Read(target, 0, (8 << 20) + 12345));
        Assert.True(AllZero(Read(target, (8 << 20) + 12345, (16 << 20) - 12345)));
        Assert.Equal(24L << 20, new FileInfo(target).Length); // a registered path is never truncated
    }

    [Fact]
    public void WithTheOptionFalseTheOldTailStaysAsWithCindersChunkedDrivers()
    {
        _engine.Dispose();
        _home.WriteConfig("backup_file_size: 1MiB\nrestore_discard_excess_bytes: false\n");
        _engine = EngineFactory.Open(_home);
        var source = RandomImage("source.img", 8 << 20, 1);
        _engine.Volumes.Register("src", source);
        _engine.Backups.Create(new BackupCreateOptions { Volume = "src", Name = "b" });
        var target = RandomImage("target.img", 24 << 20, 2);
        var tail = Read(target, 8 << 20, 16 << 20);
        _engine.Volumes.Register("dst", target);

        _engine.Backups.Restore("b", "dst");

        Assert.Equal(File.ReadAllBytes(source), Read(target, 0, 8 << 20));
        Assert.Equal(tail, Read(target, 8 << 20, 16 << 20));
    }

    [Fact]
    public void ABlockDeviceLargerThanTheBackupIsZeroedPastIt()
    {
        var backing = RandomImage("device.img", 24 << 20, 3);
        using var loop = LoopDevice.Attach(backing);
        if (loop is null)
        {
            return; // needs root and loop devices
        }
        var source = RandomImage("source.img", (8 << 20) + 512 * 3, 1);
        _engine.Volumes.Register("src", source);
        _engine.Backups.Create(new BackupCreateOptions { Volume = "src", Name = "b" });
        _engine.Volumes.Register("dev", loop.Path);

        _engine.Backups.Restore("b", "dev");

        Assert.Equal(File.ReadAllBytes(source), Read(loop.Path, 0, (8 << 20) + 512 * 3));
        Assert.True(AllZero(Read(loop.Path, (8 << 20) + 512 * 3, (16 << 20) - 512 * 3)), "old data past the backup's size survived on the device");
    }

    [Fact]
    public void EveryMethodZeroesTheRangeAndTheFallbackWritesOnlyOverData()
    {
        var path = _home.File_("range.img");
        using (var fs = new FileStream(path, FileMode.Create))
        {
            fs.SetLength(64 << 20);
        }
        foreach (var native in new[] { true, false })
        {
            Disk.WriteRandom(path, 1 << 20, 3 << 20, 5);
            Disk.WriteRandom(path, 40 << 20, 1 << 20, 6);
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            var steps = 0;
            var method = RangeZeroer.Zero(handle, isDevice: false, (2 << 20) + 100, 60 << 20, () => steps++, allowNative: native);
            Assert.Equal(native ? RangeZeroer.Method.PunchHole : RangeZeroer.Method.WriteZeros, method);
            Assert.False(AllZero(Read(path, 1 << 20, (1 << 20) + 100)));
            Assert.True(AllZero(Read(path, (2 << 20) + 100, (58 << 20) - 100)));
            // Written: only the 2 MiB of data after the start and the 1 MiB at 40 MiB, never the holes between.
            Assert.Equal(native ? 0 : 3, steps);
        }

        var backing = RandomImage("device2.img", 16 << 20, 4);
        using var loop = LoopDevice.Attach(backing);
        if (loop is null)
        {
            return;
        }
        foreach (var native in new[] { true, false })
        {
            Disk.WriteRandom(loop.Path, 0, 16 << 20, 7);
            using var handle = File.OpenHandle(loop.Path, FileMode.Open, FileAccess.ReadWrite);
            var method = RangeZeroer.Zero(handle, isDevice: true, 1000, 15 << 20, allowNative: native);
            Assert.True(native ? method != RangeZeroer.Method.WriteZeros : method == RangeZeroer.Method.WriteZeros, $"{method}");
            Assert.False(AllZero(Read(loop.Path, 0, 1000)));
            Assert.True(AllZero(Read(loop.Path, 1000, (15 << 20) - 1000)));
            Assert.False(AllZero(Read(loop.Path, 15 << 20, 1 << 20)));
        }
    }

    /// <summary>A loop device over a file (losetup), detached on dispose; null where this process may not make one.</summary>
    private sealed class LoopDevice : IDisposable
    {
        private LoopDevice(string path) => Path = path;

        public string Path { get; }

        public static LoopDevice? Attach(string file)
        {
            if (Environment.UserName != "root")
            {
                return null;
            }
            try
            {
                using var p = Process.Start(new ProcessStartInfo("losetup", new[] { "-f", "--show", file }) { RedirectStandardOutput = true, RedirectStandardError = true })!;
                var device = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                return p.ExitCode == 0 && device.StartsWith("/dev/loop", StringComparison.Ordinal) ? new LoopDevice(device) : null;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }

        public void Dispose()
        {
            using var p = Process.Start(new ProcessStartInfo("losetup", new[] { "-d", Path }) { RedirectStandardError = true })!;
            p.WaitForExit();
        }
    }
}
