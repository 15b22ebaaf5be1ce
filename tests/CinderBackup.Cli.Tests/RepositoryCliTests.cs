using System.Security.Cryptography;
using System.Text.Json;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// `repository list|show` and backups to several repositories through the real cinder-backup process: a POSIX
/// directory (the default), an S3 bucket on a local moto server and a pre-mounted NFS share.
/// </summary>
public sealed class RepositoryCliTests : IDisposable
{
    private const string Share = "nfsserver:/export/backups";
    private readonly TempHome _home = new();
    private readonly MotoServer _moto = new();
    private readonly string _bucket = "cli-" + Guid.NewGuid().ToString("N");
    private readonly string _nfsRoot;

    public RepositoryCliTests()
    {
        var mountBase = _home.File_("mnt");
        _nfsRoot = Path.Combine(mountBase, "4858fef37da8791bc7a13faf3adfead1"); // md5 of the share, as Cinder mounts it
        Directory.CreateDirectory(_nfsRoot);
        var mounts = _home.File_("mounts");
        File.WriteAllText(mounts, $"{Share} {_nfsRoot} nfs4 rw 0 0\n");
        _home.Set("CINDERBACKUP_MOUNTS_FILE", mounts)
            .Set("AWS_ACCESS_KEY_ID", MotoServer.AccessKey)
            .Set("AWS_SECRET_ACCESS_KEY", MotoServer.SecretKey);
        _home.WriteConfig($"""
            backup_file_size: 1MiB
            repositories:
              local:
                backup_posix_path: {_home.File_("local-repo")}
                default: true
              cloud:
                backup_driver: s3
                backup_s3_endpoint_url: {_moto.Endpoint}
                backup_s3_store_bucket: {_bucket}
                backup_s3_object_size: 1MiB
              share:
                backup_driver: nfs
                backup_share: {Share}
                backup_mount_point_base: {mountBase}
                backup_mount_command: /bin/false
            """);
    }

    public void Dispose()
    {
        _moto.Dispose();
        _home.Dispose();
    }

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    [Fact]
    public void RepositoryListShowsEachRepositoryAndWhetherItAnswers()
    {
        var table = Ok("repository", "list").Stdout.Split('\n');
        Assert.Matches(@"^\| Name +\| Driver \| Location +\| Default \| Reachable \| Problem \|$", table[1]);
        Assert.Matches(@"^\| local +\| posix +\| .*local-repo +\| True +\| True +\| None +\|$", table[3]);
        Assert.Matches($@"^\| cloud +\| s3 +\| {_moto.Endpoint}/{_bucket} +\| False +\| True +\| None +\|$", table[4]);
        Assert.Matches($@"^\| share +\| nfs +\| {Share} on {_nfsRoot} +\| False +\| True +\| None +\|$", table[5]);

        var json = JsonDocument.Parse(Ok("repository", "list", "--long", "-f", "json").Stdout).RootElement;
        Assert.Equal(3, json.GetArrayLength());
        var cloud = json[1];
        Assert.Equal("cinder.backup.drivers.s3.S3BackupDriver", cloud.GetProperty("Service").GetString());
        Assert.Equal(_bucket, cloud.GetProperty("Container").GetString());
        Assert.Equal(1 << 20, cloud.GetProperty("Object Size").GetInt64());
        Assert.Equal("environment", cloud.GetProperty("Credentials").GetString());
        Assert.Equal("cinder.backup.drivers.nfs.NFSBackupDriver", json[2].GetProperty("Service").GetString());

        Assert.Equal("local True\ncloud False\nshare False", Value("repository", "list", "--no-check", "-c", "Name", "-c", "Default"));
        Assert.Equal("None", Value("repository", "show", "cloud", "--no-check", "-c", "reachable"));

        _moto.Stop();
        var downRun = CliRunner.Run(_home, "repository", "list", "-f", "json");
        Assert.Equal(1, downRun.ExitCode);
        Assert.StartsWith("Repository 'cloud' cannot be reached: ", downRun.Stderr);
        Assert.Contains("does not answer", downRun.Stderr);
        var down = downRun.Stdout;
        var cloudDown = JsonDocument.Parse(down).RootElement[1];
        Assert.False(cloudDown.GetProperty("Reachable").GetBoolean());
        Assert.Contains("does not answer", cloudDown.GetProperty("Problem").GetString());
        Assert.DoesNotContain(MotoServer.SecretKey, down);

        var missing = CliRunner.Run(_home, "repository", "show", "tape");
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("Repository 'tape' is not configured (configured: local, cloud, share;", missing.Stderr);
    }

    [Fact]
    public void BackupsGoToTheNamedRepositoryAndComeBackFromIt()
    {
        var image = _home.File_("vol.img");
        using (var fs = new FileStream(image, FileMode.Create))
        {
            fs.SetLength(3 << 20);
            var data = new byte[1 << 20];
            new Random(5).NextBytes(data);
            fs.Position = 1 << 20;
            fs.Write(data);
        }
        Ok("volume", "register", "--path", image, "clivol");
        var expected = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(image)));

        foreach (var repository in new[] { "cloud", "share", "local" })
        {
            var id = Value("volume", "backup", "create", "clivol", "--name", "to-" + repository, "--repository", repository, "-c", "id");
            Assert.Equal("available", Value("volume", "backup", "show", id, "-c", "status"));
            var restored = Value("volume", "backup", "restore", id, "--name", "from-" + repository, "-c", "volume_id");
            var path = Value("volume", "show", restored, "-c", "path");
            using (var f = File.OpenRead(path))
            {
                var head = new byte[3 << 20];
                f.ReadExactly(head);
                Assert.Equal(expected, Convert.ToHexString(SHA256.HashData(head)));
            }
            var verify = CliRunner.Run(_home, "volume", "backup", "verify", "--deep", id);
            Assert.True(verify.ExitCode == 0, verify.ToString());
        }
        Assert.Equal(_bucket, Value("volume", "backup", "show", "to-cloud", "-c", "container"));
        Assert.NotEmpty(Directory.EnumerateFiles(_nfsRoot, "*_metadata", SearchOption.AllDirectories));

        // A record goes back into the repository whose driver wrote it, or into the one named.
        var record = JsonDocument.Parse(Ok("volume", "backup", "record", "export", "to-cloud", "-f", "json").Stdout).RootElement;
        var service = record.GetProperty("backup_service").GetString()!;
        var url = record.GetProperty("backup_url").GetString()!;
        Ok("volume", "backup", "delete", "to-cloud");
        var wrong = CliRunner.Run(_home, "volume", "backup", "record", "import", service, url, "--repository", "share");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("cannot find backup service to perform the import", wrong.Stderr);

        var refused = CliRunner.Run(_home, "volume", "backup", "create", "clivol", "--repository", "tape");
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("Repository 'tape' is not configured", refused.Stderr);
        Assert.Equal(2, Value("volume", "backup", "list", "-c", "ID").Split('\n').Length);
    }
}
