using System.Text;
using System.Text.Json.Nodes;
using CinderBackup.Engine.ObjectStores;
using CinderBackup.Engine.Backup;
using CinderBackup.Engine.Codecs;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.ObjectStores.Posix;
using CinderBackup.Engine.Restore;
using Xunit.Abstractions;

namespace CinderBackup.Interop.Tests;

/// <summary>
/// (c) For the same volume, ids, names, times, object size and SHA block size, our BackupWriter writes the same
/// container, object names, <c>_metadata</c> and <c>_sha256file</c> bytes as Cinder's PosixBackupDriver, and
/// objects with the same content (compressed bytes may differ between codec builds, so objects are compared
/// decompressed). Full, incremental and an incremental without changes, on a fully allocated image of text
/// (our writer stores holes as objects of their own and may store incompressible data raw; Cinder does not).
/// </summary>
public sealed class DocumentIdentityTests : IDisposable
{
    private const long M = Images.MiB;
    private const long Length = (6 * M) + 777;
    private const long ObjectSize = M;
    private const string VolumeId = "5e0c4b0e-3f7a-4d4c-9a52-8f1f0d3c2b1a";
    private static readonly string[] Ids = { "3fa2c6e1-0b9d-4e57-8c1a-2d6f4b8e9a01", "7c41d2a8-5e63-4f19-b0d7-96a3e1c5f802", "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d" };

    // Names and descriptions exercise json.dumps' escaping: non-ASCII, an astral character, quotes, backslash,
    // control characters, DEL, and characters Python leaves alone.
    private static readonly string?[] Names = { "n\u00e4me", "inc \U0001F600 \"quoted\" back\\slash", null };
    private static readonly string?[] Descriptions = { null, "line1\nline2\ttab \u007f\u0001 </script> & 'single'", "\u65e5\u672c\u8a9e" };

    // created_at without microseconds (str() omits them) and with them; the prefix time is a second later.
    private static readonly DateTime[] Created =
    {
        new(2024, 5, 1, 12, 34, 56, DateTimeKind.Utc),
        new DateTime(2024, 5, 1, 13, 0, 0, DateTimeKind.Utc).AddTicks(1234560),
        new DateTime(2024, 5, 2, 0, 0, 0, DateTimeKind.Utc).AddTicks(10),
    };

    private const string VolumeMeta = "{\"version\": 2, \"volume-base-metadata\": {\"display_name\": \"v\\u00f6l \\\"1\\\"\", \"size\": 1}}";

    private readonly TempHome _home = new();
    private readonly ITestOutputHelper _output;

    public DocumentIdentityTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _home.Dispose();

    private static DateTime Stamp(int s) => new DateTime(Created[s].Ticks - Created[s].Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc).AddSeconds(1);

    [Theory]
    [InlineData("none")]
    [InlineData("zlib")]
    [InlineData("bz2")]
    [InlineData("zstd")]
    public void DocumentsAndObjectsMatchCinder(string codec)
    {
        CinderDriver.RequireCinder();
        var images = new[] { _home.File_("state0.img"), _home.File_("state1.img") };
        MakeImage(images[0], changed: false);
        MakeImage(images[1], changed: true);
        var sources = new[] { images[0], images[1], images[1] }; // the second incremental sees no change

        var cinderRepo = _home.File_("cinder-repo");
        var ourRepo = _home.File_("our-repo");
        var cinderNaming = new PosixObjectStore(cinderRepo, createContainers: true);
        var requests = new JsonObject[3];
        for (var s = 0; s < 3; s++)
        {
            requests[s] = new JsonObject
            {
                ["repo"] = cinderRepo,
                ["driver"] = "posix",
                ["volume_file"] = sources[s],
                ["backup"] = Fields(s, null),
                ["parent"] = s == 0 ? null : Fields(s - 1, cinderNaming),
                ["size_gib"] = 1,
                ["compression"] = codec,
                ["file_size"] = ObjectSize,
                ["sha_block"] = Images.Block,
                ["timestamp"] = CinderDriver.Time(Stamp(s)),
                ["volume_meta"] = VolumeMeta,
            }.With("backup");
        }
        var answers = CinderDriver.Batch(requests);

        var store = new PosixObjectStore(ourRepo, createContainers: true);
        ChainLayer? parent = null;
        for (var s = 0; s < 3; s++)
        {
            var container = store.DefaultContainer(Ids[s]);
            var prefix = store.Prefix(VolumeId, Ids[s], Stamp(s), "nova");
            Assert.Equal((string?)answers[s]!["container"], container);
            Assert.Equal((string?)answers[s]!["service_metadata"], prefix);

            using var parentHashes = parent is null ? null : HashFile.Create(_home.File_("tmp"));
            if (parent is not null)
            {
                Assert.Equal(Images.Block, ChainLoader.ReadHashes(parent, parentHashes!));
            }
            var result = new BackupWriter(new BackupWriteRequest
            {
                Store = store,
                Container = container,
                Prefix = prefix,
                Header = new DocumentHeader(Ids[s], VolumeId, Names[s], Descriptions[s], DocumentHeader.PythonTimestamp(Created[s])),
                ParentId = s == 0 ? null : Ids[s - 1],
                ParentHashes = parentHashes,
                SourcePath = sources[s],
                Codec = CodecRegistry.Get(codec),
                ObjectSize = ObjectSize,
                ShaBlockSize = Images.Block,
                Workers = 2,
                TempDirectory = _home.File_("tmp"),
                StageTag = Ids[s],
                VolumeMeta = () => VolumeMeta,
            }).Run();
            Assert.Equal((int)answers[s]!["object_count"]!, result.ObjectCount);
            parent = ChainLoader.Load(new ChainLoader.Link(Ids[s], store, container, prefix));

            Compare(codec, s, Path.Combine(cinderRepo, container), Path.Combine(ourRepo, container), prefix);
        }
        Assert.Equal(7, (int)answers[0]!["object_count"]!);
        Assert.Equal(5, (int)answers[1]!["object_count"]!); // 3 changed runs (one split at an object boundary) and the last block
        Assert.Equal(0, (int)answers[2]!["object_count"]!);
    }

    private void Compare(string codec, int s, string cinderDir, string ourDir, string prefix)
    {
        var what = $"{codec}, backup {s}";
        Assert.Equal(Listing(cinderDir), Listing(ourDir));
        AssertSameText(Path.Combine(cinderDir, prefix + "_metadata"), Path.Combine(ourDir, prefix + "_metadata"), what + " _metadata");
        AssertSameText(Path.Combine(cinderDir, prefix + "_sha256file"), Path.Combine(ourDir, prefix + "_sha256file"), what + " _sha256file");

        MetadataDocument doc;
        using (var f = File.OpenRead(Path.Combine(cinderDir, prefix + "_metadata")))
        {
            doc = MetadataDocument.Read(f, prefix + "_metadata");
        }
        var identicalStored = 0;
        foreach (var o in doc.Objects)
        {
            var theirs = File.ReadAllBytes(Path.Combine(cinderDir, o.Name));
            var ours = File.ReadAllBytes(Path.Combine(ourDir, o.Name));
            identicalStored += theirs.AsSpan().SequenceEqual(ours) ? 1 : 0;
            var plainTheirs = Decompress(o.Compression, theirs);
            var plainOurs = Decompress(o.Compression, ours);
            Assert.Equal(o.Length, plainTheirs.Length);
            Assert.True(plainTheirs.AsSpan().SequenceEqual(plainOurs), $"{what}: object {o.Name} decompresses to different bytes.");
            Assert.Equal(codec, o.Compression);
        }
        _output.WriteLine($"{what}: {doc.Objects.Count} objects, {identicalStored} with identical stored bytes.");
    }

    private static List<string> Listing(string dir) =>
        Directory.EnumerateFiles(dir).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToList();

    private static byte[] Decompress(string compression, byte[] stored)
    {
        var codec = CodecRegistry.Get(compression);
        if (codec is null)
        {
            return stored;
        }
        using var input = new MemoryStream(stored);
        using var plain = codec.Decompress(input);
        using var output = new MemoryStream();
        plain.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Byte equality; a difference is reported with its line in both files.</summary>
    private static void AssertSameText(string expectedPath, string actualPath, string what)
    {
        var expected = File.ReadAllBytes(expectedPath);
        var actual = File.ReadAllBytes(actualPath);
        if (expected.AsSpan().SequenceEqual(actual))
        {
            return;
        }
        var at = expected.AsSpan().CommonPrefixLength(actual);
        string Line(byte[] b)
        {
            var start = Array.LastIndexOf(b, (byte)'\n', Math.Max(0, Math.Min(at, b.Length - 1))) + 1;
            var end = Array.IndexOf(b, (byte)'\n', Math.Min(at, b.Length));
            return Encoding.UTF8.GetString(b, start, (end < 0 ? b.Length : end) - start);
        }
        var line = expected.AsSpan(0, at).Count((byte)'\n') + 1;
        Assert.Fail($"{what} differs from Cinder's at byte {at} (line {line}; Cinder {expected.Length} bytes, ours {actual.Length}):\n  Cinder: {Line(expected)}\n  ours:   {Line(actual)}");
    }

    private static JsonObject Fields(int s, PosixObjectStore? naming) => new()
    {
        ["id"] = Ids[s],
        ["volume_id"] = VolumeId,
        ["display_name"] = Names[s],
        ["display_description"] = Descriptions[s],
        ["created_at"] = CinderDriver.Time(Created[s]),
        ["parent_id"] = s == 0 ? null : Ids[s - 1],
        ["size"] = 1,
        ["container"] = naming?.DefaultContainer(Ids[s]),
        ["service_metadata"] = naming?.Prefix(VolumeId, Ids[s], Stamp(s), "nova"),
    };

    /// <summary>Text everywhere (no holes, no zeros); the changed state differs in compressible runs.</summary>
    private static void MakeImage(string path, bool changed)
    {
        File.WriteAllBytes(path, Images.Text(Length, 31));
        if (!changed)
        {
            return;
        }
        Images.Write(path, 100 * Images.Block + 7, Encoding.ASCII.GetBytes("CHANGED!!!"));        // one block
        Images.Write(path, 10 * Images.Block, Images.Text(3 * Images.Block, 32));               // three blocks
        Images.Write(path, 2 * M - 2 * Images.Block, Images.Text(4 * Images.Block, 33));        // across an object boundary
        Images.Write(path, Length - 100, Encoding.ASCII.GetBytes(new string('x', 100)));        // the partial last block
    }
}
