using CinderBackup.Engine.Api;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

public sealed class ConfigTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void EmbeddedDefaultsWhenThereIsNoFile()
    {
        var config = ConfigLoader.Load(null, _home.Env);
        Assert.Null(config.SourceFile);
        Assert.Equal(_home.Home, config.DataDirectory);
        Assert.Equal("posix", config.BackupDriver);
        Assert.Equal("zstd", config.CompressionAlgorithm);
        Assert.Equal(128L * 1024 * 1024, config.BackupFileSize);
        Assert.Equal(32768, config.ShaBlockSize);
        Assert.Equal(10, config.QuotaBackups);
        Assert.Equal(1000, config.QuotaBackupGigabytes);
        Assert.Equal("nova", config.AvailabilityZone);
        Assert.Equal(Path.Combine(_home.Home, "backup"), config.BackupPosixPath);
        Assert.Equal(Path.Combine(_home.Home, "catalog.db"), config.CatalogPath);
    }

    [Fact]
    public void AHostOrZoneGivenToTheEngineKeepsThePostgresCatalog()
    {
        // `service run --host` (EngineOptions.Host) once dropped the database connection and ran on the SQLite file.
        _home.Set("CINDERBACKUP_DATABASE", "postgresql://u@db.example.org:5432/cb");
        var (config, _) = BackupEngine.LoadSettings(EngineFactory.Options(_home) with { Host = "h1", AvailabilityZone = "z1" });
        Assert.Equal(("h1", "z1", "postgresql://u@db.example.org:5432/cb"), (config.Host, config.AvailabilityZone, config.CatalogLocation));
    }

    [Theory]
    [InlineData("utf-8")]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    public void ReadsFilesWithAByteOrderMark(string encoding)
    {
        // Windows PowerShell's Out-File writes UTF-16 with a byte order mark; binary files are refused (BadInputCatalogueTests).
        var e = System.Text.Encoding.GetEncoding(encoding);
        File.WriteAllBytes(_home.ConfigPath, e.GetPreamble().Concat(e.GetBytes("storage_availability_zone: z\u00fcrich\n")).ToArray());
        Assert.Equal("z\u00fcrich", ConfigLoader.Load(_home.ConfigPath, _home.Env).AvailabilityZone);
    }

    [Fact]
    public void ReadsCinderOptionNames()
    {
        _home.WriteConfig("""
            # comment
            backup_compression_algorithm: ZLIB
            backup_file_size: 64MiB
            backup_sha_block_size_bytes: 65536
            backup_driver: cinder.backup.drivers.nfs.NFSBackupDriver
            storage_availability_zone: az1
            quota_backups: -1
            backup_posix_path: repo
            backup_create_containers: no
            """);
        var config = ConfigLoader.Load(null, _home.Env);
        Assert.Equal(_home.ConfigPath, config.SourceFile);
        Assert.Equal("zlib", config.CompressionAlgorithm);
        Assert.Equal(64L << 20, config.BackupFileSize);
        Assert.Equal(65536, config.ShaBlockSize);
        Assert.Equal("nfs", config.BackupDriver);
        Assert.Equal("az1", config.AvailabilityZone);
        Assert.Equal(-1, config.QuotaBackups);
        Assert.False(config.BackupCreateContainers);
        Assert.Equal(Path.Combine(_home.Root, "repo"), config.BackupPosixPath);
    }

    [Theory]
    [InlineData("backup_driver: posix\nbogus_key: 1\n", 2, "unknown key 'bogus_key'.")]
    [InlineData("backup_posix_pth: /srv\n", 1, "unknown key 'backup_posix_pth' (did you mean backup_posix_path?).")]
    [InlineData("statepath: /srv\n", 1, "unknown key 'statepath' (did you mean state_path?).")]
    [InlineData("backup-compression-algorithm: zstd\n", 1, "unknown key 'backup-compression-algorithm' (did you mean backup_compression_algorithm?).")]
    [InlineData("repositories:\n  r:\n    backup_posix_pat: /srv\n", 3, "unknown key 'backup_posix_pat' in repository 'r' (did you mean backup_posix_path?).")]
    [InlineData("backup_file_size: lots\n", 1, "'backup_file_size' must be a byte count")]
    [InlineData("quota_backups: ten\n", 1, "'quota_backups' must be an integer, got 'ten'")]
    [InlineData("quota_backups: -5\n", 1, "'quota_backups' must be at least -1, got -5")]
    [InlineData("backup_create_containers: maybe\n", 1, "'backup_create_containers' must be true or false, got 'maybe'")]
    [InlineData("\n\nbackup_compression_algorithm: lzma\n", 3, "'backup_compression_algorithm' must be one of none, off, no, zlib, gzip, bz2, bzip2, zstd, got 'lzma'")]
    [InlineData("backup_driver: tape\n", 1, "'backup_driver' must be one of posix, nfs, s3, ceph, swift, got 'tape'")]
    [InlineData("backup_file_size: 100000\n", 1, "'backup_file_size' (100000) must be a multiple of 'backup_sha_block_size_bytes' (32768)")]
    [InlineData("state_path: [a, b]\n", 1, "'state_path' must be a single value")]
    [InlineData("quota_backups: 1\nquota_backups: 2\n", 2, "key 'quota_backups' is set twice")]
    [InlineData("- a\n- b\n", 1, "the top level must be a mapping")]
    [InlineData("backup_driver: posix\n  bad: [indent\n", 2, "not valid YAML")]
    [InlineData("host: \"a\\tb\"\n", 1, "'host' must not contain control characters")]
    public void BadFilesNameTheFileTheLineAndTheKey(string yaml, int line, string what)
    {
        _home.WriteConfig(yaml);
        var e = Assert.Throws<CinderBackupException>(() => ConfigLoader.Load(null, _home.Env));
        Assert.Equal(ErrorIds.ConfigInvalid, e.ErrorId);
        Assert.Contains($"Configuration file '{_home.ConfigPath}', line {line}: ", e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void AnExplicitFileMustExist()
    {
        var missing = _home.File_("nope.yaml");
        var e = Assert.Throws<CinderBackupException>(() => ConfigLoader.Load(missing, _home.Env));
        Assert.Equal(ErrorIds.ConfigNotFound, e.ErrorId);
        Assert.Equal($"Configuration file '{missing}' does not exist.", e.Message);
        _home.Set("CINDERBACKUP_CONFIG", missing);
        Assert.Throws<CinderBackupException>(() => ConfigLoader.Load(null, _home.Env));
    }

    [Fact]
    public void ExplicitPathBeatsEnvironmentWhichBeatsDefault()
    {
        var a = _home.File_("a.yaml");
        File.WriteAllText(a, "storage_availability_zone: from-a\n");
        _home.WriteConfig("storage_availability_zone: from-env\n");
        Assert.Equal("from-a", ConfigLoader.Load(a, _home.Env).AvailabilityZone);
        Assert.Equal("from-env", ConfigLoader.Load(null, _home.Env).AvailabilityZone);

        var xdgFile = Path.Combine(_home.Root, "xdg-config", "cinderbackup", "cinderbackup.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(xdgFile)!);
        File.WriteAllText(xdgFile, "storage_availability_zone: from-default\n");
        _home.Set("CINDERBACKUP_CONFIG", null);
        Assert.Equal("from-default", ConfigLoader.Load(null, _home.Env).AvailabilityZone);
    }

    [Fact]
    public void DataDirectoryPrecedence()
    {
        var statePath = _home.File_("state");
        _home.WriteConfig($"state_path: {statePath}\n");
        Assert.Equal(_home.Home, ConfigLoader.Load(null, _home.Env).DataDirectory);
        _home.Set("CINDERBACKUP_HOME", null);
        Assert.Equal(statePath, ConfigLoader.Load(null, _home.Env).DataDirectory);
        File.WriteAllText(_home.ConfigPath, "");
        _home.Set("XDG_DATA_HOME", _home.File_("xdg-data"));
        Assert.Equal(Path.Combine(_home.Root, "xdg-data", "cinderbackup"), ConfigLoader.Load(null, _home.Env).DataDirectory);
        _home.Set("XDG_DATA_HOME", null);
        Assert.Equal(Path.Combine(_home.Root, ".local", "share", "cinderbackup"), ConfigLoader.Load(null, _home.Env).DataDirectory);
    }

    [Fact]
    public void AnEmptyFileMeansDefaults()
    {
        _home.WriteConfig("# nothing here\n");
        Assert.Equal("posix", ConfigLoader.Load(null, _home.Env).BackupDriver);
    }

    [Fact]
    public void InvalidConfigStopsTheEngineBeforeAnythingIsWritten()
    {
        _home.WriteConfig("bogus: 1\n");
        Assert.Throws<CinderBackupException>(() => BackupEngine.Open(EngineFactory.Options(_home)));
        Assert.False(Directory.Exists(_home.Home));
    }
}
