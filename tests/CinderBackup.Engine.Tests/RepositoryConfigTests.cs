using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>The repositories of the configuration file: the flat form, named repositories, their validation, credentials.</summary>
public sealed class RepositoryConfigTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private EngineConfig Load() => ConfigLoader.Load(null, _home.Env);

    [Fact]
    public void TheFlatOptionsAreOneRepositoryNamedDefault()
    {
        _home.WriteConfig("backup_driver: s3\nbackup_s3_store_bucket: mybucket\nbackup_s3_object_size: 8MiB\nbackup_file_size: 4MiB\n");
        var r = Assert.Single(Load().Repositories);
        Assert.Equal(("default", true, "s3", "mybucket"), (r.Name, r.IsDefault, r.Driver, r.S3Bucket));
        Assert.Equal(8L << 20, r.ObjectSize); // S3 repositories use backup_s3_object_size, not backup_file_size
        Assert.Equal(32768, r.ShaBlockSize);
        Assert.Equal(RepositoryDefinition.S3Service, r.ServiceName);
        Assert.Equal(52428800L, (long)ConfigSchema.Find("backup_s3_object_size")!.Default!);
        Assert.Equal(4, (int)ConfigSchema.Find("backup_s3_retry_max_attempts")!.Default!);
        Assert.Equal("volumebackups", ConfigSchema.Find("backup_s3_store_bucket")!.Default);
        Assert.Equal(3, (int)ConfigSchema.Find("backup_mount_attempts")!.Default!);
    }

    [Fact]
    public void NamedRepositoriesInheritTheTopLevelAndTheDefaultComesFirst()
    {
        _home.WriteConfig("""
            backup_file_size: 2MiB
            backup_create_containers: false
            repositories:
              local:
                backup_posix_path: /srv/local
              cloud:
                backup_driver: s3
                backup_s3_endpoint_url: https://s3.example.com:9000/
                backup_create_containers: true
                default: true
              share:
                backup_driver: cinder.backup.drivers.nfs.NFSBackupDriver
                backup_share: nfsserver:/export/backups
            """);
        var config = Load();
        Assert.Equal(new[] { "cloud", "local", "share" }, config.Repositories.Select(r => r.Name));
        Assert.Equal("cloud", config.DefaultRepository.Name);
        var local = config.Repositories[1];
        Assert.Equal(("posix", "/srv/local", 2L << 20, false), (local.Driver, local.PosixPath, local.ObjectSize, local.CreateContainers));
        var cloud = config.Repositories[0];
        Assert.Equal(("https://s3.example.com:9000", true, 52428800L), (cloud.S3EndpointUrl, cloud.CreateContainers, cloud.ObjectSize));
        var share = config.Repositories[2];
        Assert.Equal(("nfs", RepositoryDefinition.NfsService), (share.Driver, share.ServiceName));
        Assert.Equal(Path.Combine(_home.Home, "backup_mount"), share.MountPointBase);
    }

    [Fact]
    public void ASingleNamedRepositoryIsTheDefault()
    {
        _home.WriteConfig("repositories:\n  only:\n");
        var r = Assert.Single(Load().Repositories);
        Assert.Equal(("only", true, "posix"), (r.Name, r.IsDefault, r.Driver));
        Assert.Equal(Path.Combine(_home.Home, "backup"), r.PosixPath);
    }

    [Theory]
    [InlineData("repositories:\n  a:\n    bogus: 1\n", 3, "unknown key 'bogus' in repository 'a'")]
    [InlineData("repositories:\n  a:\n    quota_backups: 1\n", 3, "'quota_backups' cannot be set per repository (in repository 'a'); set it at the top level")]
    [InlineData("repositories:\n  a:\n    backup_driver: tape\n", 3, "'backup_driver' must be one of posix, nfs, s3, ceph, swift, got 'tape'")]
    [InlineData("repositories:\n  a:\n    default: true\n  b:\n    default: yes\n", 5, "repository 'b' is marked 'default: true' but 'a' already is")]
    [InlineData("x: 1\n", 1, "unknown key 'x'")]
    [InlineData("\nrepositories:\n  a:\n  b:\n", 2, "one repository must have 'default: true' (configured: a, b)")]
    [InlineData("repositories:\n  a:\n    default: false\n", 1, "one repository must have 'default: true'")]
    [InlineData("repositories:\n  -bad:\n", 2, "repository name '-bad' must be 1 to 64 letters, digits")]
    [InlineData("repositories: [a, b]\n", 1, "'repositories' must be a mapping of repository names to their options")]
    [InlineData("repositories: {}\n", 1, "'repositories' must name at least one repository")]
    [InlineData("repositories:\n  a: 5\n", 2, "repository 'a' must be a mapping of options")]
    [InlineData("repositories:\n  a:\n    backup_s3_object_size: 1000000\n", 3, "'backup_s3_object_size' (1000000) must be a multiple of 'backup_s3_block_size' (32768) (repository 'a')")]
    [InlineData("backup_s3_block_size: 65536\nrepositories:\n  a:\n    backup_s3_object_size: 96KiB\n", 4, "must be a multiple of 'backup_s3_block_size' (65536) (repository 'a')")]
    [InlineData("backup_s3_sse_customer_algorithm: AES256\n", 1, "'backup_s3_sse_customer_algorithm' needs 'backup_s3_sse_customer_key' as well")]
    [InlineData("backup_s3_sse_customer_algorithm: des\n", 1, "'backup_s3_sse_customer_algorithm' must be one of AES256, got 'des'")]
    [InlineData("backup_s3_endpoint_url: s3.example.com\n", 1, "'backup_s3_endpoint_url' must be an http:// or https:// URL, got 's3.example.com'")]
    [InlineData("backup_s3_endpoint_url: http://user:pw@s3.example.com\n", 1, "'backup_s3_endpoint_url' must not hold credentials")]
    [InlineData("backup_s3_endpoint_url: http://s3.example.com/some/path\n", 1, "must be the server's address only")]
    [InlineData("backup_share: /export/backups\n", 1, "'backup_share' must be an NFS share such as 'server:/export/backup', got '/export/backups'")]
    [InlineData("backup_mount_attempts: 0\n", 1, "'backup_mount_attempts' must be between 1 and 100, got 0")]
    [InlineData("backup_s3_retry_max_attempts: 0\n", 1, "'backup_s3_retry_max_attempts' must be between 1 and 100, got 0")]
    public void BadRepositoryConfigurationNamesTheLineAndTheKey(string yaml, int line, string what)
    {
        _home.WriteConfig(yaml);
        var e = Assert.Throws<CinderBackupException>(Load);
        Assert.Equal(ErrorIds.ConfigInvalid, e.ErrorId);
        Assert.Contains($"Configuration file '{_home.ConfigPath}', line {line}: ", e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void CredentialsInTheFileNeedMode0600AndAreNeverShown()
    {
        const string secret = "s3cr3t-value-that-must-not-show";
        _home.WriteConfig($"backup_driver: s3\nbackup_s3_store_access_key: AKIAEXAMPLEKEY\nbackup_s3_store_secret_key: {secret}\n");
        File.SetUnixFileMode(_home.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var e = Assert.Throws<CinderBackupException>(Load);
        Assert.Equal(ErrorIds.ConfigInsecure, e.ErrorId);
        Assert.Contains($"Configuration file '{_home.ConfigPath}' holds credentials ('backup_s3_store_access_key', line 2) but other users may access it (mode 0644)", e.Message);
        Assert.Contains("chmod 600", e.Message);
        Assert.DoesNotContain(secret, e.Message);
        Assert.DoesNotContain("AKIAEXAMPLEKEY", e.Message);

        File.SetUnixFileMode(_home.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(secret, Load().DefaultRepository.S3SecretKey);

        _home.WriteConfig($"repositories:\n  c:\n    backup_driver: s3\n    backup_s3_sse_customer_key: 0123456789abcdef0123456789abcdef\n    backup_s3_sse_customer_algorithm: AES256\n");
        File.SetUnixFileMode(_home.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        e = Assert.Throws<CinderBackupException>(Load);
        Assert.Contains("('backup_s3_sse_customer_key' of repository 'c', line 4)", e.Message);
        Assert.DoesNotContain("0123456789abcdef", e.Message);
    }

    [Fact]
    public void TheSseKeyMustBe256BitsAndIsNotShown()
    {
        _home.WriteConfig("backup_s3_sse_customer_key: tooshort-secret\nbackup_s3_sse_customer_algorithm: AES256\n");
        File.SetUnixFileMode(_home.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var e = Assert.Throws<CinderBackupException>(Load);
        Assert.Contains("line 1: 'backup_s3_sse_customer_key' must be 32 bytes (a 256-bit key) for AES256", e.Message);
        Assert.DoesNotContain("tooshort-secret", e.Message);
    }
}
