namespace CinderBackup.Engine.Config;

/// <summary>
/// Every key the configuration file accepts. Names are cinder.conf's where Cinder has the option;
/// defaults that differ from Cinder's are documented in the README.
/// </summary>
internal static class ConfigSchema
{
    public const long MiB = 1024 * 1024;

    public static readonly IReadOnlyList<string> CompressionNames =
        new[] { "none", "off", "no", "zlib", "gzip", "bz2", "bzip2", "zstd" };

    public static readonly IReadOnlyList<ConfigOption> Options = new ConfigOption[]
    {
        new("state_path", ConfigValueKind.Path, null, "Data directory: catalog, volume pool, log, default repository."),
        new("volume_pool_path", ConfigValueKind.Path, null, "Directory of the file pool's sparse volume images (default <state_path>/volumes)."),
        new("snapshot_path", ConfigValueKind.Path, null, "Directory of snapshot images (default <state_path>/snapshots)."),
        new("host", ConfigValueKind.String, null, "Name of this backup host (default: the machine name)."),
        new("storage_availability_zone", ConfigValueKind.String, "nova", "Availability zone of this host."),
        new("os_project_name", ConfigValueKind.String, null, "Project the calls run as."),
        new("os_username", ConfigValueKind.String, null, "User the calls run as."),
        new("os_admin", ConfigValueKind.Bool, null, "Whether the configured identity is an administrator."),
        new("catalog_busy_timeout", ConfigValueKind.Int, 30, "Seconds to wait for a catalog locked by another process.", Min: 1, Max: 3600),
        new("backup_driver", ConfigValueKind.Choice, "posix", "Repository driver.", Choices: new[] { "posix", "nfs", "s3", "ceph", "swift" }, PerRepository: true),
        new("backup_posix_path", ConfigValueKind.Path, null, "Root of the POSIX repository (default <state_path>/backup).", PerRepository: true),
        new("backup_container", ConfigValueKind.String, null, "Default container; unset means Cinder's <id[0:2]>/<id[2:4]>/<id> scheme.", PerRepository: true),
        new("backup_create_containers", ConfigValueKind.Bool, true, "Create missing containers (directories, buckets).", PerRepository: true),
        new("backup_compression_algorithm", ConfigValueKind.Choice, "zstd", "Compression of new backups.", Choices: CompressionNames),
        new("backup_compression_level", ConfigValueKind.Int, null, "Codec level (default: zlib 6, bz2 9, zstd 1).", Min: -7, Max: 22),
        new("backup_file_size", ConfigValueKind.Bytes, 128 * MiB, "Object size of POSIX and NFS backups; a multiple of backup_sha_block_size_bytes.", Min: 32 * 1024, Max: 64L * 1024 * MiB, PerRepository: true),
        new("backup_sha_block_size_bytes", ConfigValueKind.Bytes, 32768L, "Block size of incremental change tracking (POSIX and NFS).", Min: 512, Max: 64 * MiB, PerRepository: true),

        // S3 (Cinder's S3BackupDriver option names; region, path style and the upload count are ours).
        new("backup_s3_endpoint_url", ConfigValueKind.Url, null, "URL of the S3 server (unset: AWS S3 in backup_s3_region).", PerRepository: true),
        new("backup_s3_region", ConfigValueKind.String, "us-east-1", "Region requests are signed for.", PerRepository: true),
        new("backup_s3_store_bucket", ConfigValueKind.String, "volumebackups", "Bucket backups go to when none is given.", PerRepository: true),
        new("backup_s3_store_access_key", ConfigValueKind.String, null, "S3 access key (the file must then be mode 0600).", Secret: true, PerRepository: true),
        new("backup_s3_store_secret_key", ConfigValueKind.String, null, "S3 secret key (the file must then be mode 0600).", Secret: true, PerRepository: true),
        new("backup_s3_object_size", ConfigValueKind.Bytes, 52428800L, "Object size of S3 backups; a multiple of backup_s3_block_size.", Min: 32 * 1024, Max: 5L * 1024 * MiB, PerRepository: true),
        new("backup_s3_block_size", ConfigValueKind.Bytes, 32768L, "Block size of incremental change tracking (S3).", Min: 512, Max: 64 * MiB, PerRepository: true),
        new("backup_s3_md5_validation", ConfigValueKind.Bool, true, "Send Content-MD5 with every upload.", PerRepository: true),
        new("backup_s3_sse_customer_key", ConfigValueKind.String, null, "SSE-C key (with backup_s3_sse_customer_algorithm).", Secret: true, PerRepository: true),
        new("backup_s3_sse_customer_algorithm", ConfigValueKind.Choice, null, "SSE-C algorithm (with backup_s3_sse_customer_key).", Choices: new[] { "AES256" }, PerRepository: true),
        new("backup_s3_force_path_style", ConfigValueKind.Bool, true, "Path-style addressing (http://host/bucket/key), as MinIO, Ceph RGW and moto need.", PerRepository: true),
        new("backup_s3_verify_ssl", ConfigValueKind.Bool, true, "Check the server's TLS certificate.", PerRepository: true),
        new("backup_s3_ca_cert_file", ConfigValueKind.Path, null, "CA bundle (PEM) the server's certificate must chain to.", PerRepository: true),
        new("backup_s3_timeout", ConfigValueKind.Int, 60, "Seconds to wait for a connection, an answer, or more data.", Min: 1, Max: 3600, PerRepository: true),
        new("backup_s3_retry_max_attempts", ConfigValueKind.Int, 4, "Attempts of one request (first try included) on transient errors.", Min: 1, Max: 100, PerRepository: true),
        new("backup_s3_max_pool_connections", ConfigValueKind.Int, 10, "Connections to the server, and uploads in flight, at most.", Min: 1, Max: 1000, PerRepository: true),

        // Ceph (Cinder's CephBackupDriver option names and defaults; the keyring is the one the conf names for the user).
        new("backup_ceph_conf", ConfigValueKind.Path, "/etc/ceph/ceph.conf", "Ceph configuration file of the backup cluster.", PerRepository: true),
        new("backup_ceph_user", ConfigValueKind.String, "cinder", "Ceph client user (without 'client.') of the backup cluster.", PerRepository: true),
        new("backup_ceph_pool", ConfigValueKind.String, "backups", "Pool backup images go to (a backup's container).", PerRepository: true),
        new("backup_ceph_chunk_size", ConfigValueKind.Bytes, 128 * MiB, "Bytes moved per read and write of a Ceph transfer.", Min: 512, Max: 1024 * MiB, PerRepository: true),
        new("backup_ceph_stripe_unit", ConfigValueKind.Int, 0, "RBD stripe unit of backup images (accepted and ignored, as Cinder does without striping v2).", Min: 0, PerRepository: true),
        new("backup_ceph_stripe_count", ConfigValueKind.Int, 0, "RBD stripe count of backup images (accepted and ignored).", Min: 0, PerRepository: true),
        new("backup_ceph_max_snapshots", ConfigValueKind.Int, 0, "Backup snapshots kept on an RBD source volume (0: all).", Min: 0, Max: int.MaxValue, PerRepository: true),

        // RBD volumes (Cinder's RBD volume driver option names; rbd_user unset in Cinder means client.admin).
        new("rbd_pool", ConfigValueKind.String, "rbd", "Pool `volume create --rbd` makes its images in (volume-<id>, as Cinder's RBD driver names them)."),
        new("rbd_ceph_conf", ConfigValueKind.Path, "/etc/ceph/ceph.conf", "Ceph configuration file of the cluster RBD volumes live in."),
        new("rbd_user", ConfigValueKind.String, "admin", "Ceph client user (without 'client.') RBD volumes are opened as; its keyring is the one the conf names."),

        // Swift (Cinder's SwiftBackupDriver option names and defaults; the request timeout is ours).
        new("backup_swift_url", ConfigValueKind.HttpUrl, null, "Swift storage URL prefix for per_user auth; the caller's project id is appended (e.g. http://host:8080/v1/AUTH_).", PerRepository: true),
        new("backup_swift_auth_url", ConfigValueKind.HttpUrl, null, "Authentication URL for single_user auth: tempauth's /auth/v1.0 (version 1) or Keystone's /v3 (version 3).", PerRepository: true),
        new("backup_swift_auth", ConfigValueKind.Choice, "per_user", "per_user: the caller's token (--os-token, OS_AUTH_TOKEN) on backup_swift_url; single_user: backup_swift_user and backup_swift_key.", Choices: new[] { "per_user", "single_user" }, PerRepository: true),
        new("backup_swift_auth_version", ConfigValueKind.Choice, "1", "Authentication version of single_user: 1 (tempauth, swauth) or 3 (Keystone v3 password).", Choices: new[] { "1", "3" }, PerRepository: true),
        new("backup_swift_user", ConfigValueKind.String, null, "Swift user (single_user; version 1: account:user).", PerRepository: true),
        new("backup_swift_key", ConfigValueKind.String, null, "Swift key or password (single_user; the file must then be mode 0600).", Secret: true, PerRepository: true),
        new("backup_swift_tenant", ConfigValueKind.String, null, "Keystone project name (auth 2.0 name; backup_swift_project wins).", PerRepository: true),
        new("backup_swift_project", ConfigValueKind.String, null, "Keystone project name (version 3).", PerRepository: true),
        new("backup_swift_user_domain", ConfigValueKind.String, null, "Keystone user domain name (version 3; default Default).", PerRepository: true),
        new("backup_swift_project_domain", ConfigValueKind.String, null, "Keystone project domain name (version 3; default Default).", PerRepository: true),
        new("backup_swift_container", ConfigValueKind.String, "volumebackups", "Container backups go to when none is given.", PerRepository: true),
        new("backup_swift_create_storage_policy", ConfigValueKind.String, null, "Storage policy of containers this tool creates.", PerRepository: true),
        new("backup_swift_object_size", ConfigValueKind.Bytes, 52428800L, "Object size of Swift backups; a multiple of backup_swift_block_size.", Min: 32 * 1024, Max: 5L * 1024 * MiB, PerRepository: true),
        new("backup_swift_block_size", ConfigValueKind.Bytes, 32768L, "Block size of incremental change tracking (Swift).", Min: 512, Max: 64 * MiB, PerRepository: true),
        new("backup_swift_retry_attempts", ConfigValueKind.Int, 3, "Retries of a Swift request on transient errors (after the first try).", Min: 0, Max: 100, PerRepository: true),
        new("backup_swift_retry_backoff", ConfigValueKind.Int, 2, "Seconds before the first retry; doubled for each next one (at most 64 s).", Min: 0, Max: 3600, PerRepository: true),
        new("backup_swift_ca_cert_file", ConfigValueKind.Path, null, "CA bundle (PEM) the Swift and Keystone certificates must chain to.", PerRepository: true),
        new("backup_swift_auth_insecure", ConfigValueKind.Bool, false, "Do not check the Swift and Keystone TLS certificates.", PerRepository: true),
        new("backup_swift_enable_progress_timer", ConfigValueKind.Bool, true, "Accepted for cinder.conf compatibility; no effect (progress is reported as objects are written).", PerRepository: true),
        new("backup_swift_timeout", ConfigValueKind.Int, 60, "Seconds to wait for a connection, an answer, or more data (ours).", Min: 1, Max: 3600, PerRepository: true),

        // NFS (Cinder's NFSBackupDriver option names; the mount command is ours).
        new("backup_share", ConfigValueKind.NfsShare, null, "NFS share, host:/path.", PerRepository: true),
        new("backup_mount_options", ConfigValueKind.String, null, "Options for mount -o.", PerRepository: true),
        new("backup_mount_point_base", ConfigValueKind.Path, null, "Where shares are mounted (default <state_path>/backup_mount).", PerRepository: true),
        new("backup_mount_attempts", ConfigValueKind.Int, 3, "Attempts to mount the share.", Min: 1, Max: 100, PerRepository: true),
        new("backup_mount_command", ConfigValueKind.String, "mount", "The mount program and leading arguments (e.g. 'sudo -n mount').", PerRepository: true),
        new("backup_workers", ConfigValueKind.Int, null, "Threads compressing, hashing and writing objects (default: the number of processors).", Min: 1, Max: 256),
        new("backup_objects_in_flight", ConfigValueKind.Int, null, "Objects one operation streams at once (default: the MD5 lane width, 16 with AVX-512 and 8 with AVX2, at least twice the workers; bz2 backups: twice the workers). Each holds two 1 MiB buffers, a write buffer of up to 256 KiB and a codec context.", Min: 1, Max: 256),
        new("backup_io_bandwidth_limit", ConfigValueKind.Bytes, 0L, "Volume bytes per second an operation may read or write (0: unlimited).", Min: 0),
        new("restore_discard_excess_bytes", ConfigValueKind.Bool, true, "Make a restore target's bytes past the backup's size read as zeros (Cinder's Ceph driver option; its chunked drivers keep the old bytes)."),
        new("quota_backups", ConfigValueKind.Int, 10, "Default number of backups per project (-1: unlimited).", Min: -1, Max: int.MaxValue),
        new("quota_backup_gigabytes", ConfigValueKind.Int, 1000, "Default GiB of backups per project (-1: unlimited).", Min: -1, Max: int.MaxValue),
        new("quota_volumes", ConfigValueKind.Int, 10, "Default number of volumes per project (-1: unlimited).", Min: -1, Max: int.MaxValue),
        new("quota_gigabytes", ConfigValueKind.Int, 1000, "Default GiB of volumes per project (-1: unlimited).", Min: -1, Max: int.MaxValue),
        new("no_snapshot_gb_quota", ConfigValueKind.Bool, false, "Leave snapshots' sizes out of the gigabytes quota (Cinder's option; by default they count)."),
        new("reservation_expire", ConfigValueKind.Int, 86400, "Seconds until a quota reservation expires.", Min: 1, Max: int.MaxValue),
        new("service_down_time", ConfigValueKind.Int, 60, "Seconds without a heartbeat after which a service is down.", Min: 1, Max: int.MaxValue),
        new("report_interval", ConfigValueKind.Int, 10, "Seconds between service heartbeats.", Min: 1, Max: int.MaxValue),
        new("shared_volume_paths", ConfigValueKind.PathList, null, "Directories every backup host reaches at the same path (an NFS mount, a cluster file system), separated by ':': a volume whose file lies under one can be backed up and restored by any host's service; any other volume only by its own host's."),
    };

    /// <summary>The key of the named-repositories mapping, and the flag inside one repository.</summary>
    public const string RepositoriesKey = "repositories";
    public const string DefaultFlagKey = "default";

    /// <summary>Cinder's <c>[database]</c> section: a mapping holding <c>connection</c>, the catalog's PostgreSQL URL.</summary>
    public const string DatabaseKey = "database";
    public const string ConnectionKey = "connection";

    /// <summary>The environment variable that names the catalog's PostgreSQL URL, over the file's <c>database: connection</c>.</summary>
    public const string DatabaseVariable = "CINDERBACKUP_DATABASE";

    private static readonly Dictionary<string, ConfigOption> ByName =
        Options.ToDictionary(o => o.Name, StringComparer.Ordinal);

    public static ConfigOption? Find(string name) => ByName.TryGetValue(name, out var o) ? o : null;

    /// <summary>
    /// " (did you mean backup_posix_path?)" for a misspelt key: the known key (of <paramref name="perRepository"/>
    /// keys only, inside a repository) nearest by edit distance, if it is close enough to be a typo; else "".
    /// </summary>
    public static string Suggest(string key, bool perRepository = false)
    {
        var names = Options.Where(o => !perRepository || o.PerRepository).Select(o => o.Name)
            .Concat(perRepository ? new[] { DefaultFlagKey } : new[] { RepositoriesKey });
        var lower = key.ToLowerInvariant().Replace('-', '_');
        var best = names.Select(n => (Name: n, Distance: Distance(lower, n))).OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal).First();
        return best.Distance <= Math.Max(2, key.Length / 4) ? $" (did you mean {best.Name}?)" : "";
    }

    /// <summary>Levenshtein distance (insert, delete, substitute).</summary>
    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
