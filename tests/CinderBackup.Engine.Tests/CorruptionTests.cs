using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// The corruption matrix: every kind of stored object (a data object, the _sha256file, the _metadata) of a full and
/// an incremental backup, for every codec, with one byte flipped at the start, middle or end, or truncated to half or
/// to nothing. Deep verify and restore must detect every case with an error naming the object, and a restore must
/// never report success.
/// </summary>
public sealed class CorruptionTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly BackupEngine _engine;

    public CorruptionTests()
    {
        _home.WriteConfig("backup_file_size: 2MiB\nquota_volumes: -1\nquota_gigabytes: -1\n"); // a restore per damage: many new volumes
        _engine = EngineFactory.Open(_home);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _home.Dispose();
    }

    public static IEnumerable<object[]> Codecs() => new[] { "none", "zlib", "bz2", "zstd" }.Select(c => new object[] { c });

    private static readonly string[] Damages = { "flip-first", "flip-middle", "flip-last", "truncate-half", "truncate-empty" };

    [Theory]
    [MemberData(nameof(Codecs))]
    public void EveryDamageToEveryObjectIsDetectedAndNamed(string codec)
    {
        // A registered 8 MiB image keeps the chain to a few objects: random data (stored raw) and text (compressed).
        var image = _home.File_(codec + ".img");
        using (var fs = new FileStream(image, FileMode.Create))
        {
            fs.SetLength(8 << 20);
        }
        Disk.WriteRandom(image, 0, 3 << 20, seed: 1);
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 40000).Select(i => $"line {i} of compressible text\n")));
        using (var fs = new FileStream(image, FileMode.Open))
        {
            fs.Position = 5 << 20;
            fs.Write(text);
        }
        var v = _engine.Volumes.Register("vol-" + codec, image);
        var full = _engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Compression = codec });
        Disk.WriteRandom(v.Path, (5 << 20) + 1000, 5000, seed: 2);
        var incremental = _engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Compression = codec, Incremental = true });
        var expected = Disk.Sha256(v.Path);
        Assert.True(_engine.Backups.Verify(incremental.Id, deep: true).IsValid);

        var cases = 0;
        foreach (var backup in new[] { full, incremental })
        {
            var dir = Path.Combine(_home.Home, "backup", backup.Container!);
            // The first and the last data object holding data: in the full backup, random data stored raw and text
            // stored with the codec.
            var data = Directory.GetFiles(dir, backup.ServiceMetadata + "-*").Order().Where(f => new FileInfo(f).Length > 0).ToList();
            var targets = new[] { data[0], data[^1] }.Distinct()
                .Append(Path.Combine(dir, backup.ServiceMetadata + "_sha256file")).Append(Path.Combine(dir, backup.ServiceMetadata + "_metadata")).ToList();
            foreach (var target in targets)
            {
                var original = File.ReadAllBytes(target);
                foreach (var damage in Damages)
                {
                    File.WriteAllBytes(target, Damage(original, damage));
                    var what = $"{codec}, {(backup == full ? "full" : "incremental")}, {Path.GetFileName(target)}, {damage}";

                    // The incremental's chain includes the full backup, so damage to either shows in both checks.
                    var check = _engine.Backups.Verify(incremental.Id, deep: true);
                    Assert.False(check.IsValid, $"deep verify missed: {what}");
                    Assert.True(check.Problem!.Contains(Path.GetFileName(target), StringComparison.Ordinal), $"{what}: the problem does not name the object: {check.Problem}");

                    // Restoring the damaged backup itself fails, naming the object.
                    var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Restore(backup.Id));
                    Assert.True(e.Message.Contains(Path.GetFileName(target), StringComparison.Ordinal), $"{what}: the restore error does not name the object: {e.Message}");
                    Assert.Equal("available", _engine.Backups.Get(backup.Id).Status);
                    if (backup == full)
                    {
                        // The incremental needs only some of its parent's objects and not its documents: its restore
                        // either fails naming the damaged object or gives exactly the incremental's data.
                        try
                        {
                            var r = _engine.Backups.Restore(incremental.Id);
                            Assert.Equal(expected, Sha256Prefix(_engine.Volumes.Get(r.VolumeId).Path, 8 << 20));
                        }
                        catch (CinderBackupException e2)
                        {
                            Assert.True(e2.Message.Contains(Path.GetFileName(target), StringComparison.Ordinal), $"{what}: {e2.Message}");
                        }
                    }
                    cases++;
                }
                File.WriteAllBytes(target, original);
            }
        }
        Assert.Equal((4 + 3) * Damages.Length, cases); // full: 2 data objects and 2 documents; incremental: 1 and 2
        // Repaired, everything verifies again: the checks above failed for the damage, not for some other reason.
        Assert.True(_engine.Backups.Verify(incremental.Id, deep: true).IsValid);
    }

    private static string Sha256Prefix(string path, int length)
    {
        using var f = File.OpenRead(path);
        var buffer = new byte[length];
        f.ReadExactly(buffer);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(buffer));
    }

    private static byte[] Damage(byte[] original, string how)
    {
        var copy = (byte[])original.Clone();
        switch (how)
        {
            case "flip-first": copy[0] ^= 0x01; return copy;
            case "flip-middle": copy[copy.Length / 2] ^= 0x20; return copy;
            case "flip-last": copy[^1] ^= 0x80; return copy;
            case "truncate-half": return copy[..(copy.Length / 2)];
            default: return Array.Empty<byte>();
        }
    }
}
