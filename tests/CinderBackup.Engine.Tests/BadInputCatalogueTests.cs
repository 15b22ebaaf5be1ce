using System.Text;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// The bad-input catalogue (issue 9, item 5): malformed record strings, record files, configuration files, names,
/// ids, quotas, sizes, paths, containers, compression names and statuses. Each case must fail with its stable error
/// id and a message naming what is wrong, and must change nothing: every catalog row and every file of the data
/// directory (volume pool, snapshots, repository, log) is compared before and after.
/// </summary>
public sealed class BadInputCatalogueTests : IClassFixture<BadInputWorld>
{
    private readonly BadInputWorld _w;

    public BadInputCatalogueTests(BadInputWorld world) => _w = world;

    /// <summary>
    /// One malformed input. <paramref name="Arrange"/> writes what the case reads (before the "before" snapshot) and
    /// returns the call to make. In <paramref name="Expect"/>, {inputs} and {files} stand for the world's directories.
    /// </summary>
    private sealed record Case(string Category, string Name, string ErrorId, Func<BadInputWorld, Action> Arrange, params string[] Expect)
    {
        public string Key => $"{Category}: {Name}";
    }

    private const string Posix = BadInputWorld.Posix;
    private static readonly string Long256 = new('n', 256);

    private static Case Act(string category, string name, string errorId, Action<BadInputWorld> act, params string[] expect) =>
        new(category, name, errorId, w => () => act(w), expect);

    /// <summary>A backup_url imported with the posix backup_service.</summary>
    private static Case Record(string name, string url, string expect) =>
        Act("record string", name, ErrorIds.RecordInvalid, w => w.Admin.Backups.Import(Posix, url), expect);

    /// <summary>Backup "full"'s record with a fresh id and one field changed.</summary>
    private static Case RecordField(string name, string errorId, Action<System.Text.Json.Nodes.JsonObject> change, params string[] expect) =>
        Act("record string", name, errorId, w => w.Admin.Backups.Import(Posix, w.RecordWith(change)), expect);

    private static Case RecordFile(string name, string text, string expect) => new("record file", name, ErrorIds.RecordFileInvalid, w =>
    {
        var path = w.Input(name.Replace(' ', '-') + ".yaml", text);
        return () => w.ImportFile(path);
    }, $"Record file '{{inputs}}/{name.Replace(' ', '-')}.yaml'", expect);

    private static Case Config(string name, string yaml, int line, string expect) => new("config file", name, ErrorIds.ConfigInvalid, w =>
    {
        var path = w.Input(name.Replace(' ', '-') + ".yaml", yaml);
        return () => w.OpenWithConfig(path);
    }, $"Configuration file '{{inputs}}/{name.Replace(' ', '-')}.yaml', line {line}: {expect}");

    private static Case Create(string category, string name, string errorId, BackupCreateOptions options, params string[] expect) =>
        Act(category, name, errorId, w => w.Admin.Backups.Create(options), expect);

    private static readonly Case[] All =
    {
        // ---- record strings (backup_url) ----
        Record("not base64", "!!!not base64!!!", "Invalid input received: Can't parse backup record."),
        Record("base64 of text, not JSON", BadInputWorld.Url("not json"), "Invalid input received: Can't parse backup record."),
        Record("JSON but not an object", BadInputWorld.Url("[1, 2]"), "Invalid input received: Can't parse backup record."),
        Record("not UTF-8", Convert.ToBase64String(new byte[] { 0x7b, 0xff, 0xfe, 0x7d }), "Invalid input received: Can't parse backup record."),
        Record("empty", "", "Invalid input received: Can't decode backup record."),
        Record("4 MiB of nothing", new string('A', 4 << 20), "Invalid input received: Can't parse backup record."),
        Record("missing id", BadInputWorld.Url("{\"size\": 1}"), "Invalid input received: Provided backup record is missing an id"),
        Record("missing size", BadInputWorld.Url($"{{\"id\": \"{BadInputWorld.FreshId}\"}}"), "Invalid input received: Provided backup record is missing size attribute"),
        Record("missing manager fields", BadInputWorld.Url($"{{\"id\": \"{BadInputWorld.FreshId}\", \"size\": 1}}"),
            "Invalid backup: Driver successfully decoded imported backup data, but there are missing fields (container, display_description, display_name, object_count, service_metadata)."),
        RecordField("id not a UUID", ErrorIds.RecordInvalid, j => j["id"] = "../../etc/passwd", "Provided backup record has an id that is not a UUID: '../../etc/passwd'."),
        RecordField("parent_id not a UUID", ErrorIds.RecordInvalid, j => j["parent_id"] = "my-parent", "Provided backup record has a parent_id that is not a UUID: 'my-parent'."),
        RecordField("volume_id not a UUID", ErrorIds.RecordInvalid, j => j["volume_id"] = "../vol", "Provided backup record has a volume_id that is not a UUID: '../vol'."),
        RecordField("huge size", ErrorIds.RecordInvalid, j => j["size"] = 1L << 40, "Provided backup record has an invalid size: 1099511627776."),
        RecordField("negative size", ErrorIds.RecordInvalid, j => j["size"] = -1, "Provided backup record has an invalid size: -1."),
        RecordField("size as text", ErrorIds.RecordInvalid, j => j["size"] = "1", "Provided backup record has an invalid size: \"1\"."),
        RecordField("fractional size", ErrorIds.RecordInvalid, j => j["size"] = 1.5, "Provided backup record has an invalid size: 1.5."),
        RecordField("negative object_count", ErrorIds.RecordInvalid, j => j["object_count"] = -3, "Provided backup record has an invalid object_count: -3."),
        RecordField("container escaping with ..", ErrorIds.InvalidContainer, j => j["container"] = "../../../etc", "Invalid container '../../../etc': '..' is not allowed"),
        RecordField("absolute container", ErrorIds.InvalidContainer, j => j["container"] = "/etc", "Invalid container '/etc': absolute paths are not allowed"),
        RecordField("prefix escaping with ..", ErrorIds.RecordInvalid, j => j["service_metadata"] = "../volume_x", "object prefix that escapes its container: '../volume_x'."),
        RecordField("prefix with a directory", ErrorIds.RecordInvalid, j => j["service_metadata"] = "sub/volume_x", "object prefix that escapes its container: 'sub/volume_x'."),
        RecordField("empty prefix", ErrorIds.RecordInvalid, j => j["service_metadata"] = "", "object prefix (service_metadata) '' that is not bound to its id"),
        RecordField("prefix of another backup", ErrorIds.RecordInvalid, j => j["service_metadata"] = ((string)j["service_metadata"]!).Replace(BadInputWorld.FreshId, "aaaaaaaa-0000-4000-8000-000000000000"),
            "that is not bound to its id: a backup's prefix ends in _backup_" + BadInputWorld.FreshId),
        Act("record string", "an existing id in upper case", ErrorIds.BackupExists, w => w.Admin.Backups.Import(Posix, w.RecordWith(j =>
            {
                j["id"] = w.FullRecord.BackupId!.ToUpperInvariant();
                j["service_metadata"] = ((string)j["service_metadata"]!).Replace(BadInputWorld.FreshId, w.FullRecord.BackupId);
            })), "Invalid backup: Backup already exists in database."),
        Act("record string", "an existing id in braces", ErrorIds.BackupExists, w => w.Admin.Backups.Import(Posix, w.RecordWith(j =>
            {
                j["id"] = "{" + w.FullRecord.BackupId + "}";
                j["service_metadata"] = ((string)j["service_metadata"]!).Replace(BadInputWorld.FreshId, w.FullRecord.BackupId);
            })), "Invalid backup: Backup already exists in database."),
        RecordField("name too long", ErrorIds.InvalidName, j => j["display_name"] = Long256, "Invalid input received: display_name has 256 characters, more than the limit of 255."),
        Act("record string", "unknown backup_service", ErrorIds.RecordInvalid, w => w.Admin.Backups.Import("cinder.backup.drivers.ceph.CephBackupDriver", w.FullRecord.BackupUrl),
            "Import record failed, cannot find backup service to perform the import. Request service cinder.backup.drivers.ceph.CephBackupDriver."),
        Act("record string", "backup_service too long", ErrorIds.RecordInvalid, w => w.Admin.Backups.Import(new string('s', 256), w.FullRecord.BackupUrl),
            "Invalid input received: backup_service must be a string of at most 255 characters."),
        Act("record string", "backup already in the catalog", ErrorIds.BackupExists, w => w.Admin.Backups.Import(Posix, w.FullRecord.BackupUrl),
            "Invalid backup: Backup already exists in database."),
        Act("record string", "a set with one bad record imports nothing", ErrorIds.RecordInvalid, w => w.Admin.Records.Import(new[]
            {
                new BackupRecord { BackupService = Posix, BackupUrl = w.RecordWith(_ => { }) },
                new BackupRecord { BackupService = Posix, BackupUrl = "bm90IGpzb24=" },
            }), "record 2 of 2: Invalid input received: Can't parse backup record."),

        // ---- record files (YAML) ----
        RecordFile("extra key", "backup_service: s\nbackup_url: u\nextra: 1\n", "line 3: unexpected key 'extra'"),
        RecordFile("missing key", "backup_service: s\n", "line 1: the record lacks 'backup_url'"),
        RecordFile("bad indentation", "backup_service: s\n  backup_url: u\n", "line 2"),
        RecordFile("empty value", "backup_service: s\nbackup_url:\n", "'backup_url' is empty"),
        RecordFile("list value", "backup_service: s\nbackup_url: [a, b]\n", "line 2: the value of 'backup_url' must be a string"),
        RecordFile("duplicate key", "backup_service: s\nbackup_service: t\nbackup_url: u\n", "line 2: the key 'backup_service' appears twice"),
        RecordFile("unclosed quote", "backup_service: 'cinder\nbackup_url: u\n", "line "),
        RecordFile("plain text", "just text\n", "line 1: expected a record"),
        RecordFile("empty file", "", "it holds no record"),
        new("record file", "binary", ErrorIds.RecordFileInvalid, w =>
        {
            var path = Path.Combine(w.Inputs, "binary.yaml");
            File.WriteAllBytes(path, new byte[] { 0xff, 0xfe, 0x00, 0x80, 0x1b });
            return () => w.ImportFile(path);
        }, "Record file '{inputs}/binary.yaml': it is not UTF-8 text."),
        new("record file", "larger than 16 MiB", ErrorIds.RecordFileInvalid, w =>
        {
            var path = Path.Combine(w.Inputs, "huge.yaml");
            using (var fs = new FileStream(path, FileMode.Create))
            {
                fs.SetLength(17 << 20); // sparse: costs nothing
            }
            return () => w.ImportFile(path);
        }, "Record file '{inputs}/huge.yaml': it is 17825792 bytes; a record file is at most 16777216 bytes."),
        Act("record file", "missing file", ErrorIds.InvalidPath, w => w.ImportFile(Path.Combine(w.Inputs, "nope.yaml")), "The record file '{inputs}/nope.yaml' does not exist."),
        Act("record file", "a directory", ErrorIds.RecordFileInvalid, w => w.ImportFile(w.Inputs), "Record file '{inputs}': it is a directory, not a record file."),
        new("record file", "a bad backup_url names the file and line", ErrorIds.RecordInvalid, w =>
        {
            var path = w.Input("bad-url.yaml", $"backup_service: {Posix}\nbackup_url: {w.RecordWith(_ => { })}\n---\nbackup_service: {Posix}\nbackup_url: '!!!'\n");
            return () => w.ImportFile(path);
        }, "record file '{inputs}/bad-url.yaml', line 4: Invalid input received: Can't parse backup record."),

        // ---- configuration files: the file, the line and the key ----
        Config("unknown key", "backup_driver: posix\nbackup_foo: 1\n", 2, "unknown key 'backup_foo'"),
        Config("unknown key in a repository", "repositories:\n  r1:\n    backup_bogus: 1\n", 3, "unknown key 'backup_bogus' in repository 'r1'"),
        Config("top-level key in a repository", "repositories:\n  r1:\n    quota_backups: 1\n", 3, "'quota_backups' cannot be set per repository (in repository 'r1')"),
        Config("unknown compression", "backup_compression_algorithm: lzma\n", 1, "'backup_compression_algorithm' must be one of none, off, no, zlib, gzip, bz2, bzip2, zstd, got 'lzma'"),
        Config("list instead of a value", "backup_file_size: [1, 2]\n", 1, "'backup_file_size' must be a single value, not a list or mapping"),
        Config("text instead of an integer", "catalog_busy_timeout: soon\n", 1, "'catalog_busy_timeout' must be an integer, got 'soon'"),
        Config("integer too large", "quota_backups: 99999999999\n", 1, "'quota_backups' must be at most 2147483647, got 99999999999"),
        Config("negative quota", "quota_backup_gigabytes: -5\n", 1, "'quota_backup_gigabytes' must be at least -1, got -5"),
        Config("negative volume quota", "quota_volumes: -3\n", 1, "'quota_volumes' must be at least -1, got -3"),
        Config("volume gigabytes quota not a number", "quota_gigabytes: lots\n", 1, "'quota_gigabytes'"),
        Config("not a boolean", "backup_create_containers: maybe\n", 1, "'backup_create_containers' must be true or false, got 'maybe'"),
        Config("not a byte count", "backup_file_size: lots\n", 1, "'backup_file_size' must be a byte count such as 134217728 or 128MiB, got 'lots'"),
        Config("out of range", "backup_sha_block_size_bytes: 100\n", 1, "'backup_sha_block_size_bytes' must be between 512 and 67108864, got 100"),
        Config("object size not a multiple of the block", "backup_file_size: 100000\n", 1, "'backup_file_size' (100000) must be a multiple of 'backup_sha_block_size_bytes' (32768)"),
        Config("not an http URL", "backup_s3_endpoint_url: ftp://example.com\n", 1, "'backup_s3_endpoint_url' must be an http:// or https:// URL, got 'ftp://example.com'"),
        Config("control character", "host: \"a\\u0007b\"\n", 1, "'host' must not contain control characters"),
        Config("key set twice", "host: a\nhost: b\n", 2, "key 'host' is set twice"),
        Config("bad indentation", "backup_driver: posix\n  backup_file_size: 4MiB\n", 2, "not valid YAML"),
        Config("a list at the top", "- backup_driver\n- posix\n", 1, "the top level must be a mapping of option names to values"),
        Config("access key without secret key", "backup_s3_store_access_key: AKIAEXAMPLE\n", 1, "'backup_s3_store_access_key' needs 'backup_s3_store_secret_key' as well"),
        Config("bad repository name", "repositories:\n  ../up:\n    backup_driver: posix\n", 2, "repository name '../up' must be 1 to 64 letters"),
        // backup_swift_* and backup_ceph_* (issue 18): Cinder's option names, our checks.
        Config("swift auth not a mode", "backup_swift_auth: both\n", 1, "'backup_swift_auth' must be one of per_user, single_user, got 'both'"),
        Config("swift auth version 2", "backup_swift_auth_version: 2\n", 1, "'backup_swift_auth_version' must be one of 1, 3, got '2'"),
        Config("swift auth URL with credentials", "backup_swift_auth_url: http://admin:secret@127.0.0.1:5000/v3\n", 1,
            "'backup_swift_auth_url' must be a URL without credentials, query or fragment (set backup_swift_user and backup_swift_key)"),
        Config("swift URL not http", "backup_swift_url: ftp://127.0.0.1/v1/AUTH_\n", 1, "'backup_swift_url' must be an http:// or https:// URL, got 'ftp://127.0.0.1/v1/AUTH_'"),
        Config("swift retries negative", "backup_swift_retry_attempts: -1\n", 1, "'backup_swift_retry_attempts' must be between 0 and 100, got -1"),
        Config("swift timeout zero", "backup_swift_timeout: 0\n", 1, "'backup_swift_timeout' must be between 1 and 3600, got 0"),
        Config("swift object size not a multiple of the block", "backup_swift_object_size: 100000\n", 1,
            "'backup_swift_object_size' (100000) must be a multiple of 'backup_swift_block_size' (32768)"),
        Config("swift insecure not a boolean", "backup_swift_auth_insecure: sometimes\n", 1, "'backup_swift_auth_insecure' must be true or false, got 'sometimes'"),
        new("config file", "swift key in a file others may read", ErrorIds.ConfigInsecure, w =>
        {
            var path = w.Input("swift-key.yaml", "backup_driver: swift\nbackup_swift_key: secret\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            return () => w.OpenWithConfig(path);
        }, "holds credentials ('backup_swift_key', line 2) but other users may access it (mode 0644)"),
        Config("ceph chunk size too small", "backup_ceph_chunk_size: 100\n", 1, "'backup_ceph_chunk_size' must be between 512 and 1073741824, got 100"),
        Config("ceph stripe count negative", "backup_ceph_stripe_count: -2\n", 1, "'backup_ceph_stripe_count' must be at least 0, got -2"),
        Config("ceph max snapshots not a number", "backup_ceph_max_snapshots: all\n", 1, "'backup_ceph_max_snapshots' must be an integer, got 'all'"),
        Config("ceph user with a control character", "backup_ceph_user: \"cin\\u0007der\"\n", 1, "'backup_ceph_user' must not contain control characters"),
        Config("ceph conf not a path", "backup_ceph_conf: \"/etc/ceph/\\u0001.conf\"\n", 1, "'backup_ceph_conf' is not a valid path"),
        new("config file", "binary", ErrorIds.ConfigInvalid, w =>
        {
            var path = Path.Combine(w.Inputs, "binary-config.yaml");
            File.WriteAllBytes(path, new byte[] { 0x00, 0xff, 0xfe, 0x01, 0x02, 0x0a });
            return () => w.OpenWithConfig(path);
        }, "Configuration file '{inputs}/binary-config.yaml', line 1: not a text file: the configuration must be YAML text"),
        new("config file", "Latin-1 text", ErrorIds.ConfigInvalid, w =>
        {
            var path = Path.Combine(w.Inputs, "latin1.yaml");
            File.WriteAllBytes(path, Encoding.Latin1.GetBytes("host: a\nstorage_availability_zone: b\nos_username: caf\u00e9\n"));
            return () => w.OpenWithConfig(path);
        }, "Configuration file '{inputs}/latin1.yaml', line 3: not a text file"),
        Act("config file", "missing file", ErrorIds.ConfigNotFound, w => w.OpenWithConfig(Path.Combine(w.Inputs, "missing.yaml")),
            "Configuration file '{inputs}/missing.yaml' does not exist."),

        // ---- names, descriptions, identities ----
        Act("name", "volume name with a control character", ErrorIds.InvalidName, w => w.Admin.Volumes.Create("bell\u0007name", 1),
            "Invalid input received: name 'bell\\u0007name' contains control characters."),
        Act("name", "volume name of 256 characters", ErrorIds.InvalidName, w => w.Admin.Volumes.Create(Long256, 1),
            "Invalid input received: name has 256 characters, more than the limit of 255."),
        Create("name", "backup description with an escape", ErrorIds.InvalidName, new BackupCreateOptions { Volume = "vol", Description = "red \u001b[31m" },
            "Invalid input received: description 'red \\u001b[31m' contains control characters."),
        Act("name", "backup renamed to 256 characters", ErrorIds.InvalidName, w => w.Admin.Backups.Update("full", name: Long256),
            "Invalid input received: name has 256 characters"),
        Act("name", "backup renamed with an escape sequence", ErrorIds.InvalidName, w => w.Admin.Backups.Update("full", name: "x\u001b[2J"),
            "Invalid input received: name 'x\\u001b[2J' contains control characters."),
        Act("name", "volume renamed with a carriage return", ErrorIds.InvalidName, w => w.Admin.Volumes.Update("vol", name: "a\rb"),
            "Invalid input received: name 'a\\u000db' contains control characters."),
        Act("name", "registered volume's zone with a bell", ErrorIds.InvalidName, w => w.Admin.Volumes.Register("r", w.File_("empty.img"), availabilityZone: "z\u0007"),
            "Invalid input received: availability zone 'z\\u0007' contains control characters."),
        Act("name", "snapshot name with a newline", ErrorIds.InvalidName, w => w.Admin.Snapshots.Create("vol", "two\nlines"),
            "Invalid input received: name 'two\\u000alines' contains control characters."),
        Act("name", "volume description of 300 characters", ErrorIds.InvalidName, w => w.Admin.Volumes.Update("vol", description: new string('d', 300)),
            "Invalid input received: description has 300 characters"),
        Act("name", "restored volume name with a NUL", ErrorIds.InvalidName, w => w.Admin.Backups.Restore("full", name: "nul\0name"),
            "Invalid input received: name 'nul\\u0000name' contains control characters."),
        Create("name", "availability zone with a tab", ErrorIds.InvalidName, new BackupCreateOptions { Volume = "vol", AvailabilityZone = "nova\tx" },
            "Invalid input received: availability zone 'nova\\u0009x' contains control characters."),
        Create("name", "empty metadata key", ErrorIds.InvalidArgument, new BackupCreateOptions { Volume = "vol", Metadata = new Dictionary<string, string> { [""] = "v" } },
            "Invalid metadata: key '' must be 1 to 255 characters"),
        Act("name", "project name with a control character", ErrorIds.InvalidName, w => w.Admin.Quotas.Set("proj\u0001", backups: 1),
            "Invalid project name 'proj\\u0001'"),
        Act("name", "identity with a control character", ErrorIds.InvalidName,
            w => BackupEngine.Open(EngineFactory.Options(w.Home, "demo\u0007", "u")).Dispose(), "Invalid project name 'demo\\u0007'"),

        // ---- ids that are not UUIDs, or name nothing ----
        Act("id", "show a backup that is not there", ErrorIds.BackupNotFound, w => w.Admin.Backups.Get("not-a-uuid"), "No backup with a name or ID of 'not-a-uuid' exists."),
        Act("id", "delete an unknown UUID", ErrorIds.BackupNotFound, w => w.Admin.Backups.Delete("6b1f7f43-0000-4000-8000-000000000000"),
            "No backup with a name or ID of '6b1f7f43-0000-4000-8000-000000000000' exists."),
        Act("id", "verify a path", ErrorIds.BackupNotFound, w => w.Admin.Backups.Verify("../../etc/passwd"), "No backup with a name or ID of '../../etc/passwd' exists."),
        Act("id", "restore to an unknown volume", ErrorIds.VolumeNotFound, w => w.Admin.Backups.Restore("full", "no-such-volume"), "No volume with a name or ID of 'no-such-volume' exists."),
        Create("id", "back up an unknown snapshot", ErrorIds.SnapshotNotFound, new BackupCreateOptions { Volume = "vol", Snapshot = "no-such-snapshot" },
            "No snapshot with a name or ID of 'no-such-snapshot' exists."),
        Create("id", "back up an unknown volume", ErrorIds.VolumeNotFound, new BackupCreateOptions { Volume = "no-such-volume" }, "No volume with a name or ID of 'no-such-volume' exists."),
        Create("id", "back up a blank volume", ErrorIds.InvalidArgument, new BackupCreateOptions { Volume = " " }, "A volume name or ID is required."),
        Act("id", "run a worker for a non-UUID", ErrorIds.BackupNotFound, w => w.Admin.Backups.RunCreate("not-a-uuid"), "Backup not-a-uuid could not be found."),
        Act("id", "export an unknown backup", ErrorIds.BackupNotFound, w => w.Admin.Records.Export("nope"), "No backup with a name or ID of 'nope' exists."),

        // ---- quotas ----
        Act("quota", "backups below -1", ErrorIds.QuotaInvalid, w => w.Admin.Quotas.Set("default", backups: -2), "backups must be >= -1"),
        Act("quota", "gigabytes below -1", ErrorIds.QuotaInvalid, w => w.Admin.Quotas.Set("default", backupGigabytes: -100), "backup_gigabytes must be >= -1"),
        Act("quota", "not a number", ErrorIds.QuotaInvalid, w => w.Admin.Quotas.Set("default", QuotaApi.ParseLimit("backups", "ten")), "backups must be an integer"),
        Act("quota", "absurdly large", ErrorIds.QuotaInvalid, w => w.Admin.Quotas.Set("default", QuotaApi.ParseLimit("backups", "99999999999")), "backups must be <= 2147483647"),
        Act("quota", "below what is used", ErrorIds.QuotaInvalid, w => w.Admin.Quotas.Set("default", backups: 1),
            "Quota backups limit must be equal or greater than existing resources. Current usage is 3 and the requested limit is 1."),
        Act("quota", "no project", ErrorIds.InvalidArgument, w => w.Admin.Quotas.Set("", backups: 5), "A project name is required."),
        Act("quota", "volumes below -1", ErrorIds.QuotaInvalid, w => w.Admin.Quotas.Set("default", volumes: -2), "volumes must be >= -1"),
        Act("quota", "volume gigabytes below -1", ErrorIds.QuotaInvalid, w => w.Admin.Quotas.Set("default", gigabytes: -7), "gigabytes must be >= -1"),
        Act("quota", "volumes not a number", ErrorIds.QuotaInvalid, w => w.Admin.Quotas.Set("default", volumes: QuotaApi.ParseLimit("volumes", "many")), "volumes must be an integer"),
        Act("quota", "volumes below what is used", ErrorIds.QuotaInvalid, w => w.Admin.Quotas.Set("default", volumes: 0),
            "Quota volumes limit must be equal or greater than existing resources. Current usage is"),
        Act("quota", "volume gigabytes below what is used", ErrorIds.QuotaInvalid, w => w.Admin.Quotas.Set("default", volumes: 100, gigabytes: 0),
            "Quota gigabytes limit must be equal or greater than existing resources. Current usage is"),

        // ---- sizes ----
        Act("size", "zero", ErrorIds.InvalidSize, w => w.Admin.Volumes.Create("z", 0), "Invalid input received: Volume size '0' must be an integer and greater than 0"),
        Act("size", "negative", ErrorIds.InvalidSize, w => w.Admin.Volumes.Create("z", -1), "Invalid input received: Volume size '-1' must be an integer and greater than 0"),
        Act("size", "huge", ErrorIds.InvalidSize, w => w.Admin.Volumes.Create("z", VolumeApi.MaxSizeGiB + 1),
            $"Invalid input received: Volume size '{VolumeApi.MaxSizeGiB + 1}' is larger than the largest supported size"),
        Act("size", "not a number", ErrorIds.InvalidSize, w => w.Admin.Volumes.Create("z", VolumeApi.ParseSize("ten")), "Invalid input received: Volume size 'ten' must be an integer and greater than 0"),
        Act("size", "fractional", ErrorIds.InvalidSize, w => w.Admin.Volumes.Create("z", VolumeApi.ParseSize("1.5")), "Invalid input received: Volume size '1.5' must be an integer and greater than 0"),
        Act("size", "too large for an integer", ErrorIds.InvalidSize, w => w.Admin.Volumes.Create("z", VolumeApi.ParseSize("99999999999")),
            "Invalid input received: Volume size '99999999999' is larger than the largest supported size"),
        Act("size", "extend to the same size", ErrorIds.InvalidSize, w => w.Admin.Volumes.Extend("vol", 1),
            "Invalid input received: New size for extend must be greater than current size. (current: 1, extended: 1)."),
        Act("size", "extend to zero", ErrorIds.InvalidSize, w => w.Admin.Volumes.Extend("vol", 0), "Volume size '0' must be an integer and greater than 0"),
        // Past what one file may hold on the pool's file system (ext4: 16 TiB less 4 KiB, so 16383 GiB): no empty image is left.
        Act("size", "larger than the pool's file system allows", ErrorIds.InvalidSize, w => w.Admin.Volumes.Create("z", 16384),
            "Invalid input received: Volume size 16384 GiB is too large for the file pool '{home}/volumes': its file system allows at most 16383 GiB for one volume image."),
        Act("size", "extend past what the pool's file system allows", ErrorIds.InvalidSize, w => w.Admin.Volumes.Extend("vol", 20000),
            "Invalid input received: Volume size 20000 GiB is too large for the file pool '{home}/volumes': its file system allows at most 16383 GiB"),
        Act("size", "restore to a new volume larger than the pool's file system allows", ErrorIds.InvalidSize, w => w.Admin.Backups.Restore("bigb", sizeGiB: 16384),
            "Invalid input received: Volume size 16384 GiB is too large for the file pool '{home}/volumes'"),
        Act("size", "restore to a new volume smaller than the backup", ErrorIds.InvalidSize, w => w.Admin.Backups.Restore("bigb", sizeGiB: 1),
            "Invalid input received: Volume size 1GB cannot be smaller than the backup size 2GB."),
        Act("size", "restore to a volume too small", ErrorIds.VolumeTooSmall, w => w.Admin.Backups.Restore("bigb", "vol"),
            "Invalid volume: volume size 1 is too small to restore backup of size 2."),

        // ---- paths ----
        Act("path", "register a path that does not exist", ErrorIds.InvalidPath, w => w.Admin.Volumes.Register("r", w.File_("nope.img")), "The path '{files}/nope.img' does not exist."),
        Act("path", "register a directory", ErrorIds.InvalidPath, w => w.Admin.Volumes.Register("r", w.File_("a-directory")),
            "The path '{files}/a-directory' is a directory, not an image file or block device."),
        Act("path", "register an empty file", ErrorIds.InvalidPath, w => w.Admin.Volumes.Register("r", w.File_("empty.img")),
            "The path '{files}/empty.img' is empty; a volume needs at least one byte."),
        Act("path", "register a path with a control character", ErrorIds.InvalidPath, w => w.Admin.Volumes.Register("r", "/tmp/a\u0001b"), "Invalid path '/tmp/a\\u0001b'."),
        Act("path", "register the catalog", ErrorIds.InvalidPath, w => w.User.Volumes.Register("r", w.Home.CatalogPath),
            "The path '{home}/catalog.db' is CinderBackup's own catalog '{home}/catalog.db'; it cannot be a volume."),
        Act("path", "register a link to the catalog", ErrorIds.InvalidPath, w => w.User.Volumes.Register("r", w.File_("catalog-link.img")),
            "The path '{files}/catalog-link.img' is CinderBackup's own catalog '{home}/catalog.db'; it cannot be a volume."),
        Act("path", "register a backup object", ErrorIds.InvalidPath,
            w => w.User.Volumes.Register("r", Directory.GetFiles(Path.Combine(w.Home.Home, "backup"), "*-00001", SearchOption.AllDirectories)[0]),
            "is inside '{home}/backup', CinderBackup's repository 'default'; it cannot be a volume."),
        Act("path", "register a FIFO", ErrorIds.InvalidPath, w => w.User.Volumes.Register("r", w.File_("pipe")),
            "The path '{files}/pipe' is a FIFO (named pipe), not an image file or block device."),
        Act("path", "register a character device", ErrorIds.InvalidPath, w => w.User.Volumes.Register("r", "/dev/zero"),
            "The path '/dev/zero' is a character device, not an image file or block device."),
        Act("path", "register a pool image twice", ErrorIds.InvalidPath, w => w.Admin.Volumes.Register("r", w.Admin.Volumes.Get("vol").Path), "is already volume"),
        Act("path", "catalog backup into a missing directory", ErrorIds.InvalidPath, w => w.Admin.CatalogFile.Backup(w.File_("no/such/dir/c.db")),
            "Cannot write the catalog backup '{files}/no/such/dir/c.db': the directory '{files}/no/such/dir' does not exist."),
        Act("path", "catalog backup onto the catalog", ErrorIds.InvalidPath, w => w.Admin.CatalogFile.Backup(w.Home.CatalogPath, overwrite: true), "is the catalog itself"),
        Act("path", "catalog backup over an existing file", ErrorIds.FileExists, w => w.Admin.CatalogFile.Backup(w.File_("existing.yaml")),
            "The file '{files}/existing.yaml' already exists"),
        Act("path", "catalog restore from a missing file", ErrorIds.InvalidPath, w => w.Admin.CatalogFile.Restore(w.File_("nope.db")), "The catalog backup '{files}/nope.db' does not exist."),
        Act("path", "catalog restore from a directory", ErrorIds.InvalidPath, w => w.Admin.CatalogFile.Restore(w.File_("a-directory")), "'{files}/a-directory' is a directory, not a catalog backup."),
        Act("path", "catalog restore from a text file", ErrorIds.CatalogBackupInvalid, w => w.Admin.CatalogFile.Restore(w.File_("not-a-catalog.db")),
            "'{files}/not-a-catalog.db' is not a usable catalog backup"),
        Act("path", "catalog restore from an empty file", ErrorIds.CatalogBackupInvalid, w => w.Admin.CatalogFile.Restore(w.File_("empty.img")),
            "'{files}/empty.img' is an empty file, not a catalog backup."),
        Act("path", "record file into a missing directory", ErrorIds.InvalidPath, w => RecordApi.WriteFile(w.File_("no/dir/r.yaml"), new[] { w.FullRecord }),
            "Cannot write the record file '{files}/no/dir/r.yaml': the directory '{files}/no/dir' does not exist."),
        Act("path", "record file over an existing one with no-clobber", ErrorIds.FileExists, w => RecordApi.WriteFile(w.File_("existing.yaml"), new[] { w.FullRecord }, noClobber: true),
            "The record file '{files}/existing.yaml' already exists"),
        Act("path", "discover an unknown repository", ErrorIds.RepositoryNotFound, w => w.Admin.Records.Discover("elsewhere"), "elsewhere"),
        Act("path", "discover a missing container", ErrorIds.RepositoryUnavailable, w => w.Admin.Records.Discover(container: "no/such"), "the container directory '{home}/backup/no/such' does not exist."),

        Act("path", "benchmark in a directory that holds files", ErrorIds.InvalidArgument,
            w => CinderBackup.Bench.BenchRunner.Run(new CinderBackup.Bench.BenchOptions { Directory = w.Files, Cinder = false, Baselines = false }),
            "--dir '{files}' is not empty."),

        // ---- containers ----
        Create("container", "parent directory", ErrorIds.InvalidContainer, new BackupCreateOptions { Volume = "vol", Container = "../escape" }, "Invalid container '../escape': '..' is not allowed"),
        Create("container", "absolute path", ErrorIds.InvalidContainer, new BackupCreateOptions { Volume = "vol", Container = "/abs/olute" }, "Invalid container '/abs/olute': absolute paths are not allowed"),
        Create("container", ".. inside", ErrorIds.InvalidContainer, new BackupCreateOptions { Volume = "vol", Container = "a/../../b" }, "Invalid container 'a/../../b': '..' is not allowed"),
        Create("container", "control character", ErrorIds.InvalidContainer, new BackupCreateOptions { Volume = "vol", Container = "x\u0001y" }, "Invalid container 'x\\u0001y'"),
        Create("container", "300 characters", ErrorIds.InvalidContainer, new BackupCreateOptions { Volume = "vol", Container = new string('c', 300) }, "at most 255 characters"),
        Create("container", "empty", ErrorIds.InvalidContainer, new BackupCreateOptions { Volume = "vol", Container = "" }, "Invalid container '': it is empty."),
        new("container", "a link out of the repository", ErrorIds.InvalidContainer, w =>
        {
            w.LinkOutOfTheRepository();
            return () => w.Admin.Backups.Create(new BackupCreateOptions { Volume = "vol", Container = "escape/x" });
        }, "Invalid container 'escape/x': through a symbolic link it leads to '{files}/x', outside the repository '{home}/backup'."),
        new("container", "discovery through a link out", ErrorIds.InvalidContainer, w =>
        {
            w.LinkOutOfTheRepository();
            return () => w.Admin.Records.Discover(container: "escape");
        }, "Invalid container 'escape': through a symbolic link it leads to '{files}', outside the repository"),
        Act("container", "discovery outside the repository", ErrorIds.InvalidContainer, w => w.Admin.Records.Discover(container: "../.."), "Invalid container '../..'"),

        // ---- compression ----
        Create("compression", "unknown name", ErrorIds.UnsupportedCompression, new BackupCreateOptions { Volume = "vol", Compression = "lzma" }, "unsupported compression algorithm: lzma"),
        Create("compression", "near miss", ErrorIds.UnsupportedCompression, new BackupCreateOptions { Volume = "vol", Compression = "gzip2" }, "unsupported compression algorithm: gzip2"),

        // ---- reset-state and other statuses ----
        Act("status", "reset to creating", ErrorIds.BackupStatusInvalid, w => w.Admin.Backups.ResetState("full", "creating"),
            "Backup status: creating is invalid, valid statuses are: ['available', 'error']."),
        Act("status", "reset to deleted", ErrorIds.BackupStatusInvalid, w => w.Admin.Backups.ResetState("full", "deleted"),
            "Backup status: deleted is invalid, valid statuses are: ['available', 'error']."),
        Act("status", "reset to restoring", ErrorIds.BackupStatusInvalid, w => w.Admin.Backups.ResetState("full", "restoring"),
            "Backup status: restoring is invalid, valid statuses are: ['available', 'error']."),
        Act("status", "reset to an empty status", ErrorIds.BackupStatusInvalid, w => w.Admin.Backups.ResetState("full", ""),
            "Backup status:  is invalid, valid statuses are: ['available', 'error']."),
        Create("status", "in-use volume without force", ErrorIds.VolumeInUse, new BackupCreateOptions { Volume = "att" }, "Invalid volume: Backing up an in-use volume must use the force flag."),
        Act("status", "delete a backup with incrementals", ErrorIds.BackupHasDependents, w => w.Admin.Backups.Delete("full"), "Invalid backup: Incremental backups exist for this backup."),
        Act("status", "delete a volume with snapshots", ErrorIds.VolumeHasSnapshots, w => w.Admin.Volumes.Delete("vol"), "has 1 snapshot(s)"),
        Act("status", "restore onto an in-use volume", ErrorIds.VolumeInvalidState, w => w.Admin.Backups.Restore("full", "att"), "Invalid volume: Volume to be restored to must be available"),
        Act("status", "reset a volume to an unknown status", ErrorIds.VolumeStatusInvalid, w => w.Admin.Volumes.ResetState("vol", "fine"),
            "Volume status: fine is invalid, valid statuses are: ('creating', 'available', 'deleting',"),
        Act("status", "reset a volume to deleting", ErrorIds.VolumeStatusInvalid, w => w.Admin.Volumes.ResetState("vol", "deleting"), "Cannot reset-state to deleting"),
        Act("status", "reset a volume to in-use without attachments", ErrorIds.VolumeStatusInvalid, w => w.Admin.Volumes.ResetState("vol", "in-use"),
            "Cannot reset-state to in-use because volume does not have any attachments."),
    };

    public static TheoryData<string> Cases => new(All.Select(c => c.Key).Where(k => !PostgresServer.Selected || !SqliteFileCases.Contains(k)));

    /// <summary>Cases about the SQLite catalog as a file, left out when the catalogs run on PostgreSQL (no file there).</summary>
    private static readonly HashSet<string> SqliteFileCases = new(StringComparer.Ordinal)
    {
        "path: register the catalog", "path: register a link to the catalog", "path: catalog backup onto the catalog",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadInputIsRefusedClearlyAndChangesNothing(string key)
    {
        var c = All.Single(x => x.Key == key);
        var act = c.Arrange(_w);
        var before = _w.Snapshot();
        var e = Assert.Throws<CinderBackupException>(act);
        Assert.True(c.ErrorId == e.ErrorId, $"expected {c.ErrorId}, got {e.ErrorId}: {e.Message}");
        foreach (var expected in c.Expect)
        {
            var text = expected.Replace("{inputs}", _w.Inputs).Replace("{files}", _w.Files).Replace("{home}", _w.Home.Home);
            Assert.True(e.Message.Contains(text, StringComparison.Ordinal), $"The message\n  {e.Message}\ndoes not contain\n  {text}");
        }
        // A user-facing message never carries raw control characters (a terminal would act on them).
        Assert.DoesNotContain(e.Message, ch => char.IsControl(ch));
        Assert.Equal(before, _w.Snapshot());
    }

    [Fact]
    public void TheCatalogueCoversEveryKindOfBadInput()
    {
        var counts = All.GroupBy(c => c.Category).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(All.Length >= 40, $"{All.Length} cases");
        Assert.Equal(All.Length, All.Select(c => c.Key).Distinct().Count());
        foreach (var category in new[] { "record string", "record file", "config file", "name", "id", "quota", "size", "path", "container", "compression", "status" })
        {
            Assert.True(counts.GetValueOrDefault(category) >= 2, $"category {category}: {counts.GetValueOrDefault(category)} cases");
        }
    }
}
