using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// S3 credentials never leak (issue 9, item 6). A workload through the real cinder-backup process against moto,
/// with keys from the configuration file (mode 0600) and from the environment; a repository with a wrong secret key
/// on a second moto that enforces authentication (moto's signature check refuses listings by a prefix holding a
/// '/', even from boto3, so the workload runs where any key is accepted); a detached worker that fails; --debug
/// output and stack traces. Then every
/// place a credential could end up is scanned: every file of the data directory (catalog, WAL, event log, worker
/// log, temporary files), a catalog backup, the exported records (decoded), and everything every command printed.
/// And what a non-admin may register as a volume (issue 16, item 2), through the real process.
/// </summary>
public sealed class SecurityCliTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TempHome _home = new();
    private MotoServer? _motoServer;
    private MotoServer? _authServer;

    /// <summary>The S3 server of the workload, started when first used (the path tests need none).</summary>
    private MotoServer Moto => _motoServer ??= new();

    /// <summary>A second S3 server that enforces authentication after its first three actions.</summary>
    private MotoServer Auth => _authServer ??= new(noAuthActions: 3);
    private readonly List<CliRunner.Result> _outputs = new();

    public void Dispose()
    {
        _authServer?.Dispose();
        _motoServer?.Dispose();
        _home.Dispose();
    }

    /// <summary>An IAM user with S3 rights on the authenticating server; returns its access key.</summary>
    private string AuthenticatedUser()
    {
        Assert.Contains("<UserName>backup</UserName>", Auth.Post("Action=CreateUser&UserName=backup&Version=2010-05-08"));
        var key = Auth.Post("Action=CreateAccessKey&UserName=backup&Version=2010-05-08");
        var policy = Uri.EscapeDataString("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}");
        Auth.Post($"Action=PutUserPolicy&UserName=backup&PolicyName=s3&PolicyDocument={policy}&Version=2010-05-08"); // enforced from here on
        return Regex.Match(key, "<AccessKeyId>(.*?)</AccessKeyId>").Groups[1].Value;
    }

    private static string Random(string prefix) => prefix + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));

    private CliRunner.Result Run(params string[] args)
    {
        var r = CliRunner.Run(_home, args);
        _outputs.Add(r);
        return r;
    }

    private CliRunner.Result Ok(params string[] args)
    {
        var r = Run(args);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    private string Config(string bandwidth) => $"""
        backup_s3_retry_max_attempts: 1
        backup_s3_timeout: 5
        backup_io_bandwidth_limit: {bandwidth}
        repositories:
          cloud:
            default: true
            backup_driver: s3
            backup_s3_endpoint_url: {Moto.Endpoint}
            backup_s3_store_bucket: cloud-{_home.Root.GetHashCode():x8}
            backup_s3_object_size: 1MiB
            backup_s3_store_access_key: {_file.Access}
            backup_s3_store_secret_key: {_file.Secret}
          envrepo:
            backup_driver: s3
            backup_s3_endpoint_url: {Moto.Endpoint}
            backup_s3_store_bucket: env-{_home.Root.GetHashCode():x8}
            backup_s3_object_size: 1MiB
          wrong:
            backup_driver: s3
            backup_s3_endpoint_url: {Auth.Endpoint}
            backup_s3_store_bucket: wrong-{_home.Root.GetHashCode():x8}
            backup_s3_store_access_key: {_wrongAccess}
            backup_s3_store_secret_key: {WrongSecret}
        """;

    private const string WrongSecret = "wrong+secret/key-that-must-never-show-0000";
    private readonly (string Access, string Secret) _file = (Random("AKFILE"), Random("file-secret+/"));
    private string _wrongAccess = "";

    [Fact]
    public void CredentialsNeverReachLogsTheCatalogRecordsOrMessages()
    {
        _wrongAccess = AuthenticatedUser();
        var env = (Access: Random("AKENV"), Secret: Random("env-secret+/"));
        _home.Set("AWS_ACCESS_KEY_ID", env.Access).Set("AWS_SECRET_ACCESS_KEY", env.Secret).Set("AWS_SESSION_TOKEN", null);
        _home.WriteConfig(Config("0"));
        File.SetUnixFileMode(_home.ConfigPath, Private);
        var secrets = new[] { _file.Access, _file.Secret, env.Access, env.Secret, _wrongAccess, WrongSecret };
        Assert.All(secrets, s => Assert.True(s.Length >= 16, s));

        // A registered image of 8 MiB: a workload in every repository.
        var image = _home.File_("disk.img");
        using (var fs = File.Create(image))
        {
            fs.SetLength(8 << 20);
        }
        Disk.WriteRandom(image, 0, 3 << 20, seed: 1);
        var v = Ok("volume", "register", "--path", image, "v", "-f", "value", "-c", "id").Stdout.Trim(); // a restore makes a second "v"
        Ok("volume", "backup", "create", "--name", "full", v);
        Disk.WriteRandom(image, 5 << 20, 1 << 20, seed: 2);
        Ok("volume", "backup", "create", "--incremental", "--no-wait", "--name", "inc", v);
        Ok("volume", "backup", "wait", "inc");
        Ok("--debug", "volume", "backup", "create", "--repository", "envrepo", "--name", "other", v);
        var yaml = Ok("volume", "backup", "record", "export", "-f", "yaml", "--include-parents", "inc").Stdout;
        var json = Ok("volume", "backup", "record", "export", "-f", "json", "other").Stdout;
        Ok("volume", "backup", "record", "discover", "--dry-run", "--long");
        Ok("--debug", "volume", "backup", "verify", "--deep", "inc");
        Ok("--debug", "volume", "backup", "restore", "inc");
        Ok("volume", "backup", "list", "--long", "-f", "json");
        Ok("volume", "backup", "show", "full", "-f", "json");
        Assert.Contains("| wrong ", Run("repository", "list", "--long").Stdout); // exit code 1: 'wrong' does not answer
        Ok("repository", "show", "cloud", "-f", "json");
        Ok("context", "show", "-f", "json");
        Ok("volume", "service", "list");
        Ok("catalog", "backup", "--to", _home.File_("catalog-copy.db"));

        // Refusals: a wrong secret key (the error and its --debug stack trace), and a repository probe.
        var refused = Run("--debug", "volume", "backup", "create", "--repository", "wrong", v);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("SignatureDoesNotMatch", refused.Stderr);
        Assert.Contains("SignatureDoesNotMatch", Run("repository", "show", "wrong").Stdout + _outputs[^1].Stderr);

        // A detached worker that fails: the server goes away while it reads a throttled volume.
        File.WriteAllText(_home.ConfigPath, Config("512KiB"));
        Ok("volume", "backup", "create", "--no-wait", "--name", "doomed", v);
        Moto.Stop();
        var waited = Run("volume", "backup", "wait", "doomed", "-f", "json");
        Assert.Equal(1, waited.ExitCode);
        Assert.Equal("error", JsonDocument.Parse(waited.Stdout).RootElement.GetProperty("status").GetString());
        Run("--debug", "volume", "backup", "delete", "doomed");
        var workerLog = Path.Combine(_home.Home, "cinder-backup-worker.log");
        Assert.Contains("failed", File.ReadAllText(workerLog)); // the worker's error message went to its log
        Assert.Equal(Private, File.GetUnixFileMode(workerLog));
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(_home.Home, "cinder-backup.log")));
        Assert.Equal(Private, File.GetUnixFileMode(_home.CatalogPath));

        // Where credentials could go: the data directory (images left out: volume data only), the catalog copy,
        // the records with their backup_url decoded, and every command's output.
        var places = new List<(string Where, string Text)>();
        foreach (var f in Directory.EnumerateFiles(_home.Home, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(_home.Home, f);
            if (!relative.StartsWith("volumes", StringComparison.Ordinal) && !relative.StartsWith("snapshots", StringComparison.Ordinal))
            {
                places.Add((relative, File.ReadAllText(f, Encoding.Latin1)));
            }
        }
        Assert.Contains(places, p => p.Where == "cinder-backup-worker.log");
        Assert.Contains(places, p => p.Where == "catalog.db");
        places.Add(("catalog copy", File.ReadAllText(_home.File_("catalog-copy.db"), Encoding.Latin1)));
        var urls = Regex.Matches(yaml + json, "backup_url\"?: \"?([A-Za-z0-9+/=]+)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(3, urls.Count);
        places.AddRange(urls.Select(u => ("decoded backup_url", Encoding.UTF8.GetString(Convert.FromBase64String(u)))));
        places.AddRange(_outputs.Select((r, i) => ($"output of command {i + 1}", r.Stdout + r.Stderr)));
        foreach (var (where, text) in places)
        {
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{where} holds the credential {secret}");
            }
        }
    }

    private static string[] As(string project, params string[] args) =>
        new[] { "--os-project-name", project, "--os-admin", "false" }.Concat(args).ToArray();

    private static void Exec(string program, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    /// <summary>
    /// Issue 16, item 2, through the real process as two non-admin projects: project B registers the catalog, a FIFO,
    /// a symbolic and a hard link to project A's volume, and a link of its own later pointed at A's volume. Every
    /// attempt is refused at once, names no volume of A, and every later command of either project still works.
    /// </summary>
    [Fact]
    public void ANonAdminRegistersNoneOfTheToolsFilesAndNoOtherProjectsVolume()
    {
        var aVolume = Ok(As("projA", "volume", "create", "--size", "1", "avol", "-f", "value", "-c", "id")).Stdout.Trim();
        var aPath = Ok(As("projA", "volume", "show", "avol", "-f", "value", "-c", "path")).Stdout.Trim();
        Disk.WriteRandom(aPath, 0, 1 << 20, seed: 5);
        var aBytes = Disk.Sha256(aPath);

        var fifo = _home.File_("pipe");
        Exec("mkfifo", fifo);
        var link = _home.File_("her.img");
        File.CreateSymbolicLink(link, aPath);
        var hard = _home.File_("her-hard.img");
        Exec("ln", aPath, hard);
        foreach (var (path, message) in new[]
        {
            (_home.CatalogPath, "is CinderBackup's own catalog"),
            (fifo, "is a FIFO (named pipe), not an image file or block device."),
            (link, "is already a volume of another project."),
            (hard, "is already a volume of another project."),
        })
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var r = Run(As("projB", "volume", "register", "--path", path, "stolen"));
            Assert.True(r.ExitCode == 1, r.ToString());
            Assert.Contains(message, r.Stderr);
            Assert.DoesNotContain(aVolume, r.Stderr);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"registering {path} took {clock.Elapsed}");
        }

        // A link of B's own, registered, then pointed at A's volume: neither read nor written.
        var own = _home.File_("own.img");
        using (var fs = File.Create(own))
        {
            fs.SetLength(1L << 30);
        }
        var ownLink = _home.File_("own-link.img");
        File.CreateSymbolicLink(ownLink, own);
        Ok(As("projB", "volume", "register", "--path", ownLink, "breg"));
        Ok(As("projB", "volume", "backup", "create", "--name", "bfull", "breg"));
        File.Delete(ownLink);
        File.CreateSymbolicLink(ownLink, aPath);
        foreach (var args in new[] { new[] { "volume", "backup", "create", "breg" }, new[] { "volume", "backup", "restore", "bfull", "breg" } })
        {
            var r = Run(As("projB", args));
            Assert.True(r.ExitCode == 1, r.ToString());
            Assert.Contains("which no longer leads to a file it may use", r.Stderr);
            Assert.DoesNotContain(aVolume, r.Stderr);
        }
        Assert.Equal(aBytes, Disk.Sha256(aPath));

        // Everything still works for both projects.
        Ok(As("projA", "volume", "backup", "create", "--name", "afull", "avol"));
        Ok(As("projA", "volume", "backup", "verify", "--deep", "afull"));
        Assert.Contains("breg", Ok(As("projB", "volume", "list")).Stdout);
        Assert.Contains("available", Ok(As("projB", "volume", "backup", "show", "bfull", "-c", "status", "-f", "value")).Stdout);
    }
}
