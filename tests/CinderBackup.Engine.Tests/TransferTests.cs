using System.Security.Cryptography;
using CinderBackup.Engine.ObjectStores;
using CinderBackup.Engine.Backup;
using CinderBackup.Engine.Codecs;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.ObjectStores.Posix;
using CinderBackup.Engine.Restore;

namespace CinderBackup.Engine.Tests;

/// <summary>The transfer engine below the API: write, plan, restore and verify against a POSIX store.</summary>
public sealed class TransferTests : IDisposable
{
    private const long Block = 32768;
    private readonly TempHome _home = new();
    private readonly PosixObjectStore _store;

    public TransferTests()
    {
        _store = new PosixObjectStore(_home.File_("repo"), createContainers: true);
    }

    public void Dispose() => _home.Dispose();

    /// <summary>A 24 MiB image: text, random data, zeros written explicitly, and a 6 MiB hole.</summary>
    private string MakeImage(string name, long size = 24L << 20)
    {
        var path = _home.File_(name);
        using var fs = new FileStream(path, FileMode.Create);
        fs.SetLength(size);
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 400000).Select(i => $"line {i} of some text\n")));
        fs.Position = 0;
        fs.Write(text, 0, 4 << 20);
        var random = new byte[3 << 20];
        new Random(5).NextBytes(random);
        fs.Position = 5L << 20;
        fs.Write(random);
        fs.Position = 9L << 20;
        fs.Write(new byte[2 << 20]); // allocated zeros
        fs.Position = 17L << 20;
        fs.Write(text, 0, 7 << 20);
        return path;
    }

    private BackupWriteResult Backup(string source, string id, string prefix, string container, string? codec, HashFile? parent = null, string? parentId = null, long objectSize = 4L << 20, IObjectStore? store = null) =>
        new BackupWriter(new BackupWriteRequest
        {
            Store = store ?? _store,
            Container = container,
            Prefix = prefix,
            Header = new DocumentHeader(id, "vol", "name", null, "2024-05-01 12:34:56+00:00"),
            ParentId = parentId,
            ParentHashes = parent,
            SourcePath = source,
            Codec = codec is null ? null : CodecRegistry.Get(codec),
            ObjectSize = objectSize,
            ShaBlockSize = Block,
            Workers = 2,
            TempDirectory = _home.File_("tmp"),
            StageTag = id,
            VolumeMeta = () => "{\"version\": 2}",
        }).Run();

    private ChainLayer Layer(string id, string container, string prefix) =>
        ChainLoader.Load(new ChainLoader.Link(id, _store, container, prefix));

    private void Restore(IReadOnlyList<ChainLayer> chain, string target, long size)
    {
        using (var fs = new FileStream(target, FileMode.Create))
        {
            fs.SetLength(size);
        }
        new RestoreWriter(new RestoreRequest { Chain = chain, TargetPath = target, TargetIsNew = true, TempDirectory = _home.File_("tmp"), Workers = 2 }).Run();
    }

    private static string Sha(string path) => Disk.Sha256(path);

    [Theory]
    [InlineData(null)]
    [InlineData("zlib")]
    [InlineData("bz2")]
    [InlineData("zstd")]
    public void FullBackupRestoresByteIdenticallyAndSparsely(string? codec)
    {
        var image = MakeImage("vol.img");
        var result = Backup(image, "b1", "volume_vol_20240501123456_backup_b1", "c1", codec);
        var layer = Layer("b1", "c1", "volume_vol_20240501123456_backup_b1");
        Assert.Equal(result.ObjectCount, layer.Metadata.Objects.Count);
        Assert.Equal(Enumerable.Range(1, result.ObjectCount).Select(i => $"volume_vol_20240501123456_backup_b1-{i:00000}"), layer.Metadata.Objects.Select(o => o.Name));
        // Objects tile the volume in order and never cross the 4 MiB grid.
        long expectedOffset = 0;
        foreach (var o in layer.Metadata.Objects)
        {
            Assert.Equal(expectedOffset, o.Offset);
            Assert.Equal(o.Offset / (4 << 20), (o.End - 1) / (4 << 20));
            expectedOffset = o.End;
        }
        Assert.Equal(24L << 20, expectedOffset);
        // The random object is stored raw whatever the codec.
        Assert.Contains(layer.Metadata.Objects, o => o.Offset == 5L << 20 && o.Compression == "none");
        if (codec is not null)
        {
            Assert.Contains(layer.Metadata.Objects, o => o.Offset == 0 && o.Compression == codec);
        }

        var restored = _home.File_("restored.img");
        Restore(new[] { layer }, restored, 24L << 20);
        Assert.Equal(Sha(image), Sha(restored));
        Assert.True(Disk.AllocatedBytes(restored) < 16L << 20, "zeros are not written to a new volume");
        ChainVerifier.Run(new[] { layer }, deep: true, _home.File_("tmp"), 2, null, default);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("zstd")]
    public void TheHashListOfASparseImageWithAShortLastBlockIsEveryBlocksSha256(string? codec)
    {
        // Holes' digests are copied from a constant; the last block, 1000 bytes inside the hole, has its own.
        var path = _home.File_("odd.img");
        var size = (20L << 20) + 1000;
        using (var fs = new FileStream(path, FileMode.Create))
        {
            fs.SetLength(size);
            fs.Position = (1L << 20) + 5;
            fs.Write(new byte[] { 1, 2, 3 });
        }
        Backup(path, "b9", "volume_vol_20240501123456_backup_b9", "c9", codec);
        using var doc = _store.OpenRead("c9", "volume_vol_20240501123456_backup_b9_sha256file");
        var listed = System.Text.Json.JsonDocument.Parse(doc).RootElement.GetProperty("sha256s").EnumerateArray().Select(e => e.GetString()!).ToList();
        var bytes = File.ReadAllBytes(path);
        var expected = Enumerable.Range(0, (int)((size + Block - 1) / Block))
            .Select(i => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes.AsSpan((int)(i * Block), (int)Math.Min(Block, size - i * Block)))).ToLowerInvariant())
            .ToList();
        Assert.Equal(expected, listed);
        var restored = _home.File_("odd-restored.img");
        Restore(new[] { Layer("b9", "c9", "volume_vol_20240501123456_backup_b9") }, restored, size);
        Assert.Equal(Sha(path), Sha(restored));
    }

    /// <summary>16 MiB of 1 MiB objects with data in the first and last MiB only: fourteen holes of one length.</summary>
    private string HoleyImage()
    {
        var path = _home.File_("holey.img");
        var random = new byte[1 << 20];
        new Random(16).NextBytes(random);
        using var fs = new FileStream(path, FileMode.Create);
        fs.SetLength(16L << 20);
        fs.Write(random);
        fs.Position = 15L << 20;
        fs.Write(random);
        return path;
    }

    /// <summary>The inode of each file (stat), to tell hard links from copies.</summary>
    private static List<string> Inodes(IEnumerable<string> files)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat") { RedirectStandardOutput = true };
        foreach (var a in new[] { "-c", "%i" }.Concat(files))
        {
            psi.ArgumentList.Add(a);
        }
        using var p = System.Diagnostics.Process.Start(psi)!;
        var lines = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return lines;
    }

    /// <summary>
    /// Backs up <see cref="HoleyImage"/> in 1 MiB objects as backup <paramref name="id"/> (its container and tag
    /// too), checks it restores byte-identically, and returns the layer and the inode of each of its 14 holes.
    /// </summary>
    private (ChainLayer Layer, List<string> HoleInodes) BackUpHoles(string id, string? codec, IObjectStore? store = null)
    {
        var image = HoleyImage();
        var prefix = $"volume_vol_20240501123456_backup_{id}";
        Assert.Equal(16, Backup(image, id, prefix, id, codec, objectSize: 1L << 20, store: store).ObjectCount);
        var layer = Layer(id, id, prefix);
        var holes = layer.Metadata.Objects.Where(o => o.Offset >= 1L << 20 && o.End <= 15L << 20).ToList();
        Assert.Equal(14, holes.Count);
        Assert.Single(holes.Select(o => (o.Md5, o.Compression)).Distinct());
        var restored = _home.File_($"{id}-restored.img");
        Restore(new[] { layer }, restored, 16L << 20);
        Assert.Equal(Sha(image), Sha(restored));
        return (layer, Inodes(holes.Select(o => Path.Combine(_home.File_("repo"), id, o.Name))));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("zlib")]
    public void HolesOfOneLengthAreOneFileUnderManyNames(string? codec)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var (layer, inodes) = BackUpHoles("h1", codec);
        Assert.Single(inodes.Distinct());
        ChainVerifier.Run(new[] { layer }, deep: true, _home.File_("tmp"), 2, null, default);
        BackupWriter.RemoveEverything(_store, "h1", layer.Prefix, "h1");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_home.File_("repo"), "h1")));
    }

    private sealed class StoreWithoutLinks(string root) : PosixObjectStore(root, createContainers: true)
    {
        public int Refused { get; private set; }

        public override bool TryLink(string container, string existing, string name)
        {
            Refused++;
            return false;
        }
    }

    /// <summary>Refuses a link to a file that has <paramref name="most"/> links already, as ext4 does at 65000.</summary>
    private sealed class StoreWithFewLinks(string root, int most) : PosixObjectStore(root, createContainers: true)
    {
        private readonly Dictionary<string, int> _links = new();

        public override bool TryLink(string container, string existing, string name)
        {
            var n = _links.GetValueOrDefault(existing);
            if (n >= most || !base.TryLink(container, existing, name))
            {
                return false;
            }
            _links[existing] = n + 1;
            return true;
        }
    }

    [Fact]
    public void AFileWithTheMostLinksItMayHaveIsFollowedByANewOne()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var (_, inodes) = BackUpHoles("h3", null, new StoreWithFewLinks(_home.File_("repo"), 3));
        // 14 holes: a file and 3 links to it, three times over, then a file and 1 link.
        Assert.Equal(new[] { 4, 4, 4, 2 }, inodes.GroupBy(i => i).Select(g => g.Count()));
    }

    [Fact]
    public void WhereTheStoreHasNoLinksEveryHoleIsAFileOfItsOwn()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var store = new StoreWithoutLinks(_home.File_("repo"));
        var (_, inodes) = BackUpHoles("h2", null, store);
        Assert.Equal(13, store.Refused); // each hole after the first offered as a link, and given a file
        Assert.Equal(14, inodes.Distinct().Count());
    }

    [Fact]
    public void IncrementalStoresOnlyChangedBlocksAndRestoresEveryLayer()
    {
        var image = MakeImage("vol.img");
        var original = Sha(image);
        Backup(image, "full", "p_full", "c", "zstd");
        var full = Layer("full", "c", "p_full");

        // Change two blocks in different cells, and zero a whole megabyte of text.
        Disk.WriteRandom(image, 100 * Block, 10, seed: 1);
        Disk.WriteRandom(image, 400 * Block + 5, 40000, seed: 2);
        using (var fs = new FileStream(image, FileMode.Open))
        {
            fs.Position = 18L << 20;
            fs.Write(new byte[1 << 20]);
        }
        var changed = Sha(image);
        using var parentHashes = HashFile.Create(_home.File_("tmp"));
        ChainLoader.ReadHashes(full, parentHashes);
        var inc = Backup(image, "inc", "p_inc", "c", "zstd", parentHashes, "full");
        var layer = Layer("inc", "c", "p_inc");
        Assert.Equal("full", layer.Metadata.ParentId);
        Assert.Equal(3, inc.ObjectCount);
        Assert.Equal(new[] { 100 * Block, 400 * Block, 18L << 20 }, layer.Metadata.Objects.Select(o => o.Offset));
        Assert.Equal(new[] { Block, 2 * Block, 1L << 20 }, layer.Metadata.Objects.Select(o => o.Length));

        var restored = _home.File_("r-inc.img");
        Restore(new[] { layer, full }, restored, 24L << 20);
        Assert.Equal(changed, Sha(restored));
        var restoredFull = _home.File_("r-full.img");
        Restore(new[] { full }, restoredFull, 24L << 20);
        Assert.Equal(original, Sha(restoredFull));

        // Nothing changed: an empty incremental.
        using var incHashes = HashFile.Create(_home.File_("tmp"));
        ChainLoader.ReadHashes(layer, incHashes);
        Assert.Equal(0, Backup(image, "inc2", "p_inc2", "c", "zstd", incHashes, "inc").ObjectCount);
        var empty = Layer("inc2", "c", "p_inc2");
        Assert.Empty(empty.Metadata.Objects);
        Assert.Contains("\"objects\": [],", File.ReadAllText(Path.Combine(_home.File_("repo"), "c", "p_inc2_metadata")));
        var r3 = _home.File_("r3.img");
        Restore(new[] { empty, layer, full }, r3, 24L << 20);
        Assert.Equal(changed, Sha(r3));
    }

    [Fact]
    public void AFlippedByteIsFoundAndNamed()
    {
        var image = MakeImage("vol.img");
        Backup(image, "b", "p", "c", "zstd");
        var layer = Layer("b", "c", "p");
        var victim = layer.Metadata.Objects.First(o => o.Compression == "none");
        var path = Path.Combine(_home.File_("repo"), "c", victim.Name);
        var bytes = File.ReadAllBytes(path);
        bytes[12345] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CinderBackupException>(() => ChainVerifier.Run(new[] { layer }, deep: true, _home.File_("tmp"), 2, null, default));
        Assert.Equal(ErrorIds.BackupCorrupt, e.ErrorId);
        Assert.Contains(victim.Name, e.Message);
        Assert.Contains($"offset {victim.Offset + 12345 / Block * Block}", e.Message);
        var target = _home.File_("t.img");
        Assert.Throws<CinderBackupException>(() => Restore(new[] { layer }, target, 24L << 20));
    }
}
