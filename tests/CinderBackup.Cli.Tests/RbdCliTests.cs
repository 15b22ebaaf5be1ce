using System.Text.Json;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// RBD volumes through `cinder-backup` (issue 18, item 3): register and create, backups to a posix repository, restore to
/// a new RBD volume byte-identical, an incremental that reads only the change, bad RBD specs, and kill -9 at each step
/// of an RBD volume's backup (the catalog stays consistent, stray backup snapshots go with the next backup).
/// </summary>
public sealed class RbdCliTests : IClassFixture<CephCliFixture>, IDisposable
{
    private const int Killed = 137;
    private const long MiB = 1 << 20;
    private readonly CephServer _ceph;
    private readonly TempHome _home = new();

    public RbdCliTests(CephCliFixture fixture)
    {
        _ceph = fixture.Server;
        _home.WriteConfig($"backup_file_size: 4MiB\nbackup_workers: 2\nrbd_pool: volumes\nrbd_ceph_conf: {_ceph.ConfPath}\nrbd_user: admin\n"
            + "quota_volumes: -1\nquota_backups: 100\n");
    }

    public void Dispose() => _home.Dispose();

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private JsonElement Json(params string[] args) => JsonDocument.Parse(Ok(args.Concat(new[] { "-f", "json" }).ToArray()).Stdout).RootElement;

    private string NewImage()
    {
        var name = "cli-" + Guid.NewGuid().ToString("N")[..8];
        _ceph.Rbd("create", "--size", "32M", "volumes/" + name);
        Put(name, 0, 3 << 20, 1);
        Put(name, 20 << 20, 1 << 20, 2);
        return name;
    }

    /// <summary>Random bytes written into the image at an offset (<see cref="CephServer.Put"/>).</summary>
    private void Put(string image, long offset, int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        _ceph.Put("volumes/" + image, 32L * MiB, offset, data);
    }

    private string Sha(string image, long length)
    {
        var file = _home.File_($"export-{Guid.NewGuid():N}");
        _ceph.Rbd("export", "volumes/" + image, file);
        using (var fs = new FileStream(file, FileMode.Open))
        {
            fs.SetLength(length);
        }
        var sha = Disk.Sha256(file);
        File.Delete(file);
        return sha;
    }

    private string[] BackupSnapshots(string image) => _ceph.Rbd("snap", "ls", "volumes/" + image)
        .Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length > 1 && p[1].StartsWith("backup.", StringComparison.Ordinal)).Select(p => p[1]).ToArray();

    [Fact]
    public void RbdVolumesBackUpIncrementallyAndRestoreToANewRbdVolume()
    {
        var image = NewImage();
        var v = Json("volume", "register", "src", "--rbd", "volumes/" + image);
        Assert.Equal($"rbd:volumes/{image}", v.GetProperty("path").GetString());
        Ok("volume", "backup", "create", "--name", "full", "src");
        var sha0 = Sha(image, 32 * MiB);
        Put(image, 8 << 20, 4096, 3);
        var sha1 = Sha(image, 32 * MiB);
        Ok("volume", "backup", "create", "--name", "inc", "--incremental", "src");
        var inc = Json("volume", "backup", "show", "inc");
        Assert.True(inc.GetProperty("bytes_read").GetInt64() < 8 * MiB, inc.ToString()); // the 32 MiB volume was not read
        Assert.Equal(32768, inc.GetProperty("bytes_changed").GetInt64());
        Assert.Single(BackupSnapshots(image));

        var dst = Json("volume", "create", "--rbd", "--size", "1", "dst");
        var dstImage = $"volume-{dst.GetProperty("id").GetString()}";
        Assert.Equal($"rbd:volumes/{dstImage}", dst.GetProperty("path").GetString());
        Ok("volume", "backup", "restore", "inc", "dst", "--force");
        Assert.Equal(sha1, Sha(dstImage, 32 * MiB));
        Ok("volume", "backup", "restore", "full", "dst", "--force");
        Assert.Equal(sha0, Sha(dstImage, 32 * MiB));
        Ok("volume", "delete", "dst");
        Assert.DoesNotContain(dstImage, _ceph.Rbd("ls", "volumes"));
    }

    [Theory]
    [InlineData("volumes", "Invalid RBD image 'volumes': it must be POOL/IMAGE.")]
    [InlineData("nopool/img", "Ceph pool 'nopool' does not exist")]
    [InlineData("volumes/nosuchimage", "RBD image 'volumes/nosuchimage' does not exist")]
    [InlineData("volumes/x@snap", "names a snapshot")]
    public void BadRbdSpecsAreRefusedAndRegisterNothing(string spec, string message)
    {
        var r = CliRunner.Run(_home, "volume", "register", "bad", "--rbd", spec);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.Equal("", CliRunner.Value(_home, "volume", "list", "-c", "ID"));
    }

    [Fact]
    public void PathAndRbdTogetherOrNeitherAreRefused()
    {
        var both = CliRunner.Run(_home, "volume", "register", "x", "--rbd", "volumes/a", "--path", "/tmp/x");
        Assert.Contains("Give exactly one of --path PATH and --rbd POOL/IMAGE.", both.Stderr);
        var neither = CliRunner.Run(_home, "volume", "register", "x");
        Assert.Contains("Give exactly one of --path PATH and --rbd POOL/IMAGE.", neither.Stderr);
    }

    [Fact]
    public void RbdVolumeBackupsKilledAtEachStepAreSettledAndTheNextIncrementalRestores()
    {
        var image = NewImage();
        Ok("volume", "register", "crashsrc", "--rbd", "volumes/" + image);
        Ok("volume", "backup", "create", "--name", "baseline", "crashsrc");
        var n = 0;
        foreach (var point in new[] { "backup.prepared", "backup.rbd.snapshot", "backup.sha256file.staged", "backup.metadata.committed", "backup.finished" })
        {
            n++;
            _home.Set("CINDERBACKUP_FAULT", point);
            try
            {
                var r = CliRunner.Run(_home, "volume", "backup", "create", "--name", "crash-" + n, "--incremental", "crashsrc");
                Assert.True(r.ExitCode == Killed, $"{point}: expected the process to be killed there\n{r}");
            }
            finally
            {
                _home.Set("CINDERBACKUP_FAULT", null);
            }
            using var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
            Assert.All(engine.Backups.List(), b => Assert.True(b.Status is "available" or "error", $"{point}: backup {b.Name} is {b.Status}"));
            Assert.Equal("available", engine.Volumes.Get("crashsrc").Status);
            var crashed = engine.Backups.Get("crash-" + n);
            Assert.Equal(point is "backup.metadata.committed" or "backup.finished" ? "available" : "error", crashed.Status);
            if (crashed.Status == "error")
            {
                engine.Backups.Delete(crashed.Id);
            }
        }
        Put(image, 12 << 20, 8192, 9);
        var sha = Sha(image, 32 * MiB);
        Ok("volume", "backup", "create", "--name", "after", "--incremental", "crashsrc");
        var after = Json("volume", "backup", "show", "after");
        Assert.True(after.GetProperty("bytes_read").GetInt64() < 8 * MiB, after.ToString());
        // Stray snapshots of the killed backups went with this one; only its own is left.
        var snaps = BackupSnapshots(image);
        Assert.Single(snaps);
        Assert.StartsWith($"backup.{after.GetProperty("id").GetString()}.snap.", snaps[0]);
        var dst = Json("volume", "create", "--rbd", "--size", "1", "crashdst");
        Ok("volume", "backup", "restore", "after", "crashdst", "--force");
        Assert.Equal(sha, Sha($"volume-{dst.GetProperty("id").GetString()}", 32 * MiB));
    }
}
