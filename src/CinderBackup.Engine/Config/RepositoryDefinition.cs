using System.Globalization;

namespace CinderBackup.Engine.Config;

/// <summary>
/// The effective settings of one configured repository: what its entry in <c>repositories</c> sets, else the top
/// level of the file, else the built-in default. Without a <c>repositories</c> mapping, the top-level options form a
/// single repository named <c>default</c>.
/// </summary>
internal sealed class RepositoryDefinition
{
    public const string PosixService = "cinder.backup.drivers.posix.PosixBackupDriver";
    public const string NfsService = "cinder.backup.drivers.nfs.NFSBackupDriver";
    public const string S3Service = "cinder.backup.drivers.s3.S3BackupDriver";
    public const string CephService = "cinder.backup.drivers.ceph.CephBackupDriver";
    public const string SwiftService = "cinder.backup.drivers.swift.SwiftBackupDriver";

    private readonly EngineConfig _config;
    private readonly IReadOnlyDictionary<string, object?> _own;

    public RepositoryDefinition(EngineConfig config, string name, bool isDefault, IReadOnlyDictionary<string, object?> own, int? line)
    {
        _config = config;
        Name = name;
        IsDefault = isDefault;
        _own = own;
        Line = line;
    }

    public string Name { get; }

    public bool IsDefault { get; }

    /// <summary>The line of the repository's entry in the configuration file (null for the flat form).</summary>
    public int? Line { get; }

    public string? SourceFile => _config.SourceFile;

    public string DataDirectory => _config.DataDirectory;

    public string Driver => GetString("backup_driver")!;

    /// <summary>Cinder's driver class path for this repository's driver (a backup's <c>service</c>).</summary>
    public string ServiceName => ServiceOf(Driver);

    public static string ServiceOf(string driver) => driver switch
    {
        "nfs" => NfsService,
        "s3" => S3Service,
        "ceph" => CephService,
        "swift" => SwiftService,
        _ => PosixService,
    };

    public string PosixPath => GetString("backup_posix_path") ?? _config.BackupPosixPath;

    public string? Container => GetString("backup_container");

    public bool CreateContainers => (bool)Get("backup_create_containers")!;

    /// <summary>The object size of new backups: backup_s3_object_size for S3, backup_swift_object_size for Swift, backup_file_size otherwise.</summary>
    public long ObjectSize => GetLong(Driver switch { "s3" => "backup_s3_object_size", "swift" => "backup_swift_object_size", _ => "backup_file_size" });

    /// <summary>The hash block of new backups: backup_s3_block_size, backup_swift_block_size, backup_sha_block_size_bytes otherwise.</summary>
    public long ShaBlockSize => GetLong(Driver switch { "s3" => "backup_s3_block_size", "swift" => "backup_swift_block_size", _ => "backup_sha_block_size_bytes" });

    // S3
    public string? S3EndpointUrl => GetString("backup_s3_endpoint_url");
    public string S3Region => GetString("backup_s3_region")!;
    public string S3Bucket => GetString("backup_s3_store_bucket")!;
    public string? S3AccessKey => GetString("backup_s3_store_access_key");
    public string? S3SecretKey => GetString("backup_s3_store_secret_key");
    public bool S3Md5Validation => (bool)Get("backup_s3_md5_validation")!;
    public string? S3SseCustomerKey => GetString("backup_s3_sse_customer_key");
    public string? S3SseCustomerAlgorithm => GetString("backup_s3_sse_customer_algorithm");
    public bool S3ForcePathStyle => (bool)Get("backup_s3_force_path_style")!;
    public bool S3VerifySsl => (bool)Get("backup_s3_verify_ssl")!;
    public string? S3CaCertFile => GetString("backup_s3_ca_cert_file");
    public int S3TimeoutSeconds => GetInt("backup_s3_timeout");
    public int S3RetryMaxAttempts => GetInt("backup_s3_retry_max_attempts");
    public int S3MaxPoolConnections => GetInt("backup_s3_max_pool_connections");

    // Ceph
    public string CephConf => GetString("backup_ceph_conf")!;
    public string CephUser => GetString("backup_ceph_user")!;
    public string CephPool => GetString("backup_ceph_pool")!;
    public long CephChunkSize => GetLong("backup_ceph_chunk_size");
    public int CephMaxSnapshots => GetInt("backup_ceph_max_snapshots");
    // Swift
    public string? SwiftUrl => GetString("backup_swift_url");
    public string? SwiftAuthUrl => GetString("backup_swift_auth_url");
    public string SwiftAuth => GetString("backup_swift_auth")!;
    public string SwiftAuthVersion => GetString("backup_swift_auth_version")!;
    public string? SwiftUser => GetString("backup_swift_user");
    public string? SwiftKey => GetString("backup_swift_key");
    public string? SwiftTenant => GetString("backup_swift_tenant");
    public string? SwiftProject => GetString("backup_swift_project");
    public string? SwiftUserDomain => GetString("backup_swift_user_domain");
    public string? SwiftProjectDomain => GetString("backup_swift_project_domain");
    public string SwiftContainer => GetString("backup_swift_container")!;
    public string? SwiftStoragePolicy => GetString("backup_swift_create_storage_policy");
    public int SwiftRetryAttempts => GetInt("backup_swift_retry_attempts");
    public int SwiftRetryBackoffSeconds => GetInt("backup_swift_retry_backoff");
    public string? SwiftCaCertFile => GetString("backup_swift_ca_cert_file");
    public bool SwiftAuthInsecure => (bool)Get("backup_swift_auth_insecure")!;
    public int SwiftTimeoutSeconds => GetInt("backup_swift_timeout");

    /// <summary>The caller's token for per_user Swift auth (--os-token), else OS_AUTH_TOKEN.</summary>
    public string? SessionOsToken => _config.OsToken;

    /// <summary>The caller's project (its id in Keystone terms), which per_user auth appends to backup_swift_url.</summary>
    public string? CallerProject => _config.CallerProject;

    // NFS
    public string? Share => GetString("backup_share");
    public string? MountOptions => GetString("backup_mount_options");
    public string MountPointBase => GetString("backup_mount_point_base") ?? Path.Combine(_config.DataDirectory, "backup_mount");
    public int MountAttempts => GetInt("backup_mount_attempts");
    public string MountCommand => GetString("backup_mount_command")!;

    /// <summary>Where the staging files of uploads live.</summary>
    public string TempDirectory => _config.TempDirectory;

    public Func<string, string?> Environment => _config.Environment;

    public System.Net.NetworkCredential? SessionS3Credential => _config.S3Credential;

    public object? Get(string key) => _own.TryGetValue(key, out var v) ? v : _config.Get(key);

    private string? GetString(string key) => (string?)Get(key);

    private int GetInt(string key) => Convert.ToInt32(Get(key)!, CultureInfo.InvariantCulture);

    private long GetLong(string key) => Convert.ToInt64(Get(key)!, CultureInfo.InvariantCulture);
}
