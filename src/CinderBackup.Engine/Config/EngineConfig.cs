using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Config;

/// <summary>
/// The effective configuration: the file's values over the embedded defaults, with derived paths resolved.
/// </summary>
public sealed class EngineConfig
{
    private readonly IReadOnlyDictionary<string, object?> _values;

    internal EngineConfig(string? sourceFile, IReadOnlyDictionary<string, object?> values, string dataDirectory)
    {
        SourceFile = sourceFile;
        _values = values;
        DataDirectory = dataDirectory;
    }

    /// <summary>The file the values came from, or null when running on embedded defaults.</summary>
    public string? SourceFile { get; }

    /// <summary>Where the catalog, the file pool and the log live.</summary>
    public string DataDirectory { get; }

    public string CatalogPath => Path.Combine(DataDirectory, "catalog.db");

    /// <summary>The PostgreSQL catalog (<c>database: connection</c>, CINDERBACKUP_DATABASE), or null for the SQLite file at <see cref="CatalogPath"/>.</summary>
    internal DatabaseConnection? Database { get; init; }

    /// <summary>Where the catalog is, as messages show it: the SQLite file, or the PostgreSQL URL without its password.</summary>
    public string CatalogLocation => Database?.Display ?? CatalogPath;

    public string LogPath => Path.Combine(DataDirectory, "cinder-backup.log");

    public string VolumePoolPath => GetString("volume_pool_path") ?? Path.Combine(DataDirectory, "volumes");

    /// <summary>Pool of the RBD volumes this tool creates (Cinder's rbd_pool).</summary>
    public string RbdPool => GetString("rbd_pool")!;

    public string RbdCephConf => GetString("rbd_ceph_conf")!;

    public string RbdUser => GetString("rbd_user")!;

    public string SnapshotPath => GetString("snapshot_path") ?? Path.Combine(DataDirectory, "snapshots");

    public string Host => GetString("host") ?? System.Environment.MachineName;

    public string AvailabilityZone => GetString("storage_availability_zone")!;

    public string? ProjectName => GetString("os_project_name");

    public string? UserName => GetString("os_username");

    public bool? Admin => (bool?)Get("os_admin");

    public int CatalogBusyTimeoutSeconds => GetInt("catalog_busy_timeout");

    public string BackupDriver => GetString("backup_driver")!;

    public string BackupPosixPath => GetString("backup_posix_path") ?? Path.Combine(DataDirectory, "backup");

    public string? BackupContainer => GetString("backup_container");

    public bool BackupCreateContainers => (bool)Get("backup_create_containers")!;

    public string CompressionAlgorithm => GetString("backup_compression_algorithm")!;

    public int? CompressionLevel => (int?)Get("backup_compression_level");

    public long BackupFileSize => GetLong("backup_file_size");

    public long ShaBlockSize => GetLong("backup_sha_block_size_bytes");

    public int BackupWorkers => (int?)Get("backup_workers") ?? Math.Max(1, System.Environment.ProcessorCount);

    public long IoBandwidthLimit => GetLong("backup_io_bandwidth_limit");

    /// <summary>restore_discard_excess_bytes: zero a restore target past the backup's size.</summary>
    public bool RestoreDiscardExcessBytes => (bool)Get("restore_discard_excess_bytes")!;

    /// <summary>backup_objects_in_flight, or null for the default of each operation.</summary>
    public int? ObjectsInFlight => (int?)Get("backup_objects_in_flight");

    public string TempDirectory => Path.Combine(DataDirectory, "tmp");

    public int QuotaBackups => GetInt("quota_backups");

    public int QuotaBackupGigabytes => GetInt("quota_backup_gigabytes");

    public int QuotaVolumes => GetInt("quota_volumes");

    public int QuotaGigabytes => GetInt("quota_gigabytes");

    public bool NoSnapshotGbQuota => (bool)Get("no_snapshot_gb_quota")!;

    public int ReservationExpireSeconds => GetInt("reservation_expire");

    public int ServiceDownTimeSeconds => GetInt("service_down_time");

    public int ReportIntervalSeconds => GetInt("report_interval");

    /// <summary>shared_volume_paths: directories every host reaches at the same path (absolute, as configured).</summary>
    public IReadOnlyList<string> SharedVolumePaths =>
        GetString("shared_volume_paths")?.Split(Path.PathSeparator) ?? Array.Empty<string>();

    /// <summary>Environment lookup the configuration was loaded with (credentials, test seams).</summary>
    internal Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>S3 credentials given to the session (Set-BackupContext -S3Credential); they win over the file and the environment.</summary>
    internal System.Net.NetworkCredential? S3Credential { get; set; }

    /// <summary>The caller's Keystone token (--os-token) for per_user Swift auth; wins over OS_AUTH_TOKEN.</summary>
    internal string? OsToken { get; set; }

    /// <summary>The project the calls run as, once the engine knows it: per_user Swift auth appends it to backup_swift_url.</summary>
    internal string? CallerProject { get; set; }

    private IReadOnlyList<RepositoryDefinition>? _repositories;

    /// <summary>
    /// The configured repositories, the default first: the entries of <c>repositories</c>, or else one repository
    /// named <c>default</c> made of the top-level options.
    /// </summary>
    internal IReadOnlyList<RepositoryDefinition> Repositories => _repositories ??= BuildRepositories();

    internal RepositoryDefinition DefaultRepository => Repositories[0];

    private IReadOnlyList<RepositoryDefinition> BuildRepositories()
    {
        if (_values.TryGetValue(ConfigSchema.RepositoriesKey, out var r) && r is IReadOnlyList<RepositorySection> sections)
        {
            return sections
                .Select(s => new RepositoryDefinition(this, s.Name, s.IsDefault == true, s.Values, s.Line))
                .OrderByDescending(d => d.IsDefault)
                .ToList();
        }
        return new[] { new RepositoryDefinition(this, FlatRepositoryName, true, new Dictionary<string, object?>(), null) };
    }

    /// <summary>The name of the repository the top-level options make when there is no <c>repositories</c> mapping.</summary>
    internal const string FlatRepositoryName = "default";

    /// <summary>This configuration with <paramref name="key"/> set to <paramref name="value"/> (a checked value of its kind).</summary>
    internal EngineConfig With(string key, object? value)
    {
        var values = new Dictionary<string, object?>(_values, StringComparer.Ordinal) { [key] = value };
        // Everything else the configuration carries, the PostgreSQL catalog above all: without it `service run --host`
        // opened the SQLite file of the data directory instead of the shared catalog.
        return new EngineConfig(SourceFile, values, DataDirectory)
        {
            Environment = Environment, Database = Database, S3Credential = S3Credential, OsToken = OsToken, CallerProject = CallerProject,
        };
    }

    /// <summary>A value by its configuration key, or its default.</summary>
    public object? Get(string key)
    {
        if (_values.TryGetValue(key, out var v))
        {
            return v;
        }
        var option = ConfigSchema.Find(key) ?? throw new CinderBackupException(
            ErrorIds.ConfigInvalid, ErrorKind.Configuration, $"Unknown configuration key '{key}'.", key);
        return option.Default;
    }

    /// <summary>The keys set explicitly by the configuration file.</summary>
    public IEnumerable<string> ExplicitKeys => _values.Keys;

    private string? GetString(string key) => (string?)Get(key);

    private int GetInt(string key) => Convert.ToInt32(Get(key)!, System.Globalization.CultureInfo.InvariantCulture);

    private long GetLong(string key) => Convert.ToInt64(Get(key)!, System.Globalization.CultureInfo.InvariantCulture);
}
