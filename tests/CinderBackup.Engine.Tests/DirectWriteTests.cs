using System.Runtime.InteropServices;
using CinderBackup.Engine.Native;
using CinderBackup.Engine.ObjectStores.Posix;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// Backup objects written past the page cache (<see cref="DirectAppendStream"/> through a POSIX repository):
/// whatever the lengths and the sizes of the writes, the object holds exactly the bytes written.
/// </summary>
public sealed class DirectWriteTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"cb-direct-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [InlineData(0, "small")]
    [InlineData(1, "small")]
    [InlineData(4095, "small")]
    [InlineData(65535, "small")]
    [InlineData(65536, "small")] // exactly the first buffer: the first direct chunk
    [InlineData(65537, "small")]
    [InlineData(262144 + 4096 + 7, "small")]
    [InlineData((3 << 20) + 123, "small")]
    [InlineData((3 << 20) + 123, "pieces")] // raw data: 1 MiB writes go straight to direct writes
    [InlineData((5 << 20) + 4096, "mixed")]
    [InlineData((9 << 20) + 1, "mixed")] // more than the process's direct buffers at once
    public void ObjectsHoldExactlyTheBytesWritten(int length, string pattern)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        var random = new Random(length + 1);
        var store = new PosixObjectStore(_root, createContainers: true);
        store.PutContainer("c");
        using (var staged = store.Stage("c", "t"))
        {
            for (var at = 0; at < length;)
            {
                var n = Math.Min(length - at, pattern switch
                {
                    "small" => random.Next(1, 70_000),
                    "pieces" => 1 << 20,
                    _ => random.Next(2) == 0 ? random.Next(1, 5000) : random.Next(256 * 1024, 1_500_000),
                });
                staged.Stream.Write(data, at, n);
                at += n;
            }
            staged.Commit("object");
        }
        store.WaitForWrites();
        var path = Path.Combine(_root, "c", "object");
        Assert.Equal(length, new FileInfo(path).Length);
        Assert.True(data.AsSpan().SequenceEqual(File.ReadAllBytes(path)), "the object's bytes differ from those written");
        Assert.Equal(["object"], Directory.EnumerateFiles(Path.Combine(_root, "c")).Select(Path.GetFileName));
    }

    [Fact]
    public void AnObjectGivenUpLeavesNothingBehind()
    {
        var store = new PosixObjectStore(_root, createContainers: true);
        store.PutContainer("c");
        using (var staged = store.Stage("c", "t"))
        {
            staged.Stream.Write(new byte[(2 << 20) + 5]); // direct writes queued, then abandoned
        }
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "c")));
    }

    [Fact]
    public void AHoleObjectHasItsLengthAndZerosOnlyMakeAWholeObject()
    {
        var store = new PosixObjectStore(_root, createContainers: true);
        store.PutContainer("c");
        using (var staged = store.Stage("c", "t"))
        {
            staged.WriteZeros(64 << 20);
            staged.Commit("hole");
        }
        var path = Path.Combine(_root, "c", "hole");
        Assert.Equal(64L << 20, new FileInfo(path).Length);
        using (var staged = store.Stage("c", "t"))
        {
            staged.Stream.Write(new byte[10]);
            Assert.Throws<InvalidOperationException>(() => staged.WriteZeros(4096)); // zeros only make a whole object
        }
    }

    [Fact]
    public void AWriteTheFileSystemRefusesGoesThroughTheNormalDescriptor()
    {
        // A buffer one byte off alignment makes the kernel refuse the direct write (EINVAL), as a file system
        // without direct I/O would; the write must then land through the normal descriptor.
        var path = Path.Combine(Directory.CreateDirectory(_root).FullName, "f");
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite);
        var fd = DirectIo.OpenForWriting(path);
        Assert.True(fd >= 0, "the test directory's file system cannot open files for direct I/O");
        var data = new byte[4097];
        new Random(7).NextBytes(data);
        var pinned = GCHandle.Alloc(data, GCHandleType.Pinned);
        try
        {
            using var done = new ManualResetEventSlim();
            Exception? error = new InvalidOperationException("the write never finished");
            DirectIo.Submit(new DirectIo.Request(fd, (int)handle.DangerousGetHandle(), pinned.AddrOfPinnedObject() + 1, 4096, 0, e =>
            {
                error = e;
                done.Set();
            }));
            Assert.True(done.Wait(TimeSpan.FromSeconds(30)));
            Assert.Null(error);
        }
        finally
        {
            pinned.Free();
            LibC.Close(fd);
        }
        Assert.Equal(data.AsSpan(1).ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void WritingAfterCompleteIsRefused()
    {
        var path = Path.Combine(Directory.CreateDirectory(_root).FullName, "f");
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite);
        using var stream = new DirectAppendStream(handle, path);
        stream.Write(new byte[100_000]);
        stream.Complete();
        Assert.Equal(100_000, RandomAccess.GetLength(handle));
        Assert.Throws<InvalidOperationException>(() => stream.Write(new byte[1]));
    }
}
