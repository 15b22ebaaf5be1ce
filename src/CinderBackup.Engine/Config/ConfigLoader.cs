using System.Globalization;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Util;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CinderBackup.Engine.Config;

/// <summary>
/// Reads the YAML configuration file. Lookup order: an explicit path, then <c>CINDERBACKUP_CONFIG</c>, then
/// the platform default; a missing default file means embedded defaults. Every error names the file, the
/// line and the key.
/// </summary>
public static class ConfigLoader
{
    public static EngineConfig Load(string? explicitPath, Func<string, string?> env)
    {
        string? path = explicitPath;
        bool mustExist = true;
        if (string.IsNullOrEmpty(path))
        {
            path = env(PlatformPaths.ConfigVariable);
        }
        if (string.IsNullOrEmpty(path))
        {
            path = PlatformPaths.DefaultConfigFile(env);
            mustExist = false;
        }
        path = Path.GetFullPath(path);

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        string? source = null;
        if (File.Exists(path))
        {
            string text;
            try
            {
                text = ReadText(path, File.ReadAllBytes(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CinderBackupException(ErrorIds.ConfigInvalid, ErrorKind.Configuration,
                    $"Configuration file '{path}' cannot be read: {e.Message}", path, e);
            }
            var secrets = new List<(string Key, int Line)>();
            Parse(path, text, values, secrets);
            CheckSecretsAreProtected(path, secrets);
            source = path;
        }
        else if (mustExist)
        {
            throw new CinderBackupException(ErrorIds.ConfigNotFound, ErrorKind.NotFound,
                $"Configuration file '{path}' does not exist.", path);
        }

        // Precedence of the data directory: CINDERBACKUP_HOME, then state_path, then the platform default.
        var home = env(PlatformPaths.HomeVariable);
        string dataDir;
        if (!string.IsNullOrEmpty(home))
        {
            dataDir = Path.GetFullPath(home);
        }
        else if (values.TryGetValue("state_path", out var sp) && sp is string s)
        {
            dataDir = s;
        }
        else
        {
            dataDir = PlatformPaths.DefaultDataDirectory(env);
        }
        return new EngineConfig(source, values, dataDir) { Environment = env, Database = Database(values, env) };
    }

    /// <summary>
    /// The catalog's PostgreSQL connection: CINDERBACKUP_DATABASE, else the file's <c>database: connection</c>, else none
    /// (the SQLite catalog). A password comes from the URL (a 0600 file only), PGPASSWORD, or the password file.
    /// </summary>
    private static DatabaseConnection? Database(Dictionary<string, object?> values, Func<string, string?> env)
    {
        var fromEnv = env(ConfigSchema.DatabaseVariable);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return DatabaseConnection.TryParse(fromEnv, out var problem) ?? throw new CinderBackupException(
                ErrorIds.ConfigInvalid, ErrorKind.Configuration, $"{ConfigSchema.DatabaseVariable}: the database connection {problem}.", ConfigSchema.DatabaseVariable);
        }
        return values.TryGetValue(ConfigSchema.DatabaseKey, out var d) ? d as DatabaseConnection : null;
    }

    /// <summary>
    /// The <c>database</c> mapping (Cinder's <c>[database]</c> section): <c>connection</c>, a PostgreSQL URL.
    /// </summary>
    private static DatabaseConnection? ParseDatabase(string file, YamlNode valueNode, List<(string Key, int Line)>? secrets)
    {
        const string where = "'database'";
        if (valueNode is YamlScalarNode empty && empty.Style == ScalarStyle.Plain && string.IsNullOrEmpty(empty.Value))
        {
            return null;
        }
        if (valueNode is not YamlMappingNode map)
        {
            throw Error(file, valueNode.Start.Line, $"{where} must be a mapping holding 'connection' (database: {{connection: postgresql://user@host:port/dbname}})");
        }
        DatabaseConnection? result = null;
        foreach (var (k, v) in map.Children)
        {
            var line = (int)k.Start.Line;
            if (k is not YamlScalarNode ks || ks.Value != ConfigSchema.ConnectionKey)
            {
                throw Error(file, line, $"unknown key '{(k as YamlScalarNode)?.Value}' in {where} (it holds 'connection' only)");
            }
            if (v is not YamlScalarNode vs)
            {
                throw Error(file, v.Start.Line, "'database: connection' must be a single value, not a list or mapping");
            }
            if (vs.Style == ScalarStyle.Plain && (vs.Value is null or "" or "~" or "null"))
            {
                continue;
            }
            // The URL is never shown: it may hold a password.
            result = DatabaseConnection.TryParse(vs.Value!, out var problem)
                ?? throw Error(file, v.Start.Line, $"'database: connection' {problem}");
            if (result.Password is not null)
            {
                secrets?.Add(("database: connection", line));
            }
        }
        return result;
    }

    /// <summary>
    /// The file as text. A byte order mark names the encoding (Windows PowerShell's Out-File writes UTF-16); without
    /// one the file must be UTF-8. A binary file is refused at the line of its first offending byte rather than parsed
    /// into a misleading YAML error.
    /// </summary>
    private static string ReadText(string path, byte[] bytes)
    {
        string text;
        if (bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }) || bytes.AsSpan().StartsWith(new byte[] { 0xFF, 0xFE }) ||
            bytes.AsSpan().StartsWith(new byte[] { 0xFE, 0xFF }))
        {
            using var reader = new StreamReader(new MemoryStream(bytes), detectEncodingFromByteOrderMarks: true);
            text = reader.ReadToEnd();
        }
        else
        {
            var status = System.Text.Unicode.Utf8.ToUtf16(bytes, new char[bytes.Length], out var read, out _, replaceInvalidSequences: false);
            if (status != System.Buffers.OperationStatus.Done)
            {
                throw NotText(path, bytes.AsSpan(0, read).Count((byte)'\n') + 1);
            }
            text = System.Text.Encoding.UTF8.GetString(bytes);
        }
        var nul = text.IndexOf('\0');
        if (nul >= 0)
        {
            throw NotText(path, text.AsSpan(0, nul).Count('\n') + 1);
        }
        return text;
    }

    private static CinderBackupException NotText(string path, int line) =>
        Error(path, line, "not a text file: the configuration must be YAML text (UTF-8, or with a byte order mark)");

    /// <summary>
    /// A file holding credentials (S3 keys, an SSE-C key) must be readable and writable by its owner only:
    /// mode 0600 or stricter.
    /// </summary>
    private static void CheckSecretsAreProtected(string path, List<(string Key, int Line)> secrets)
    {
        if (secrets.Count == 0 || OperatingSystem.IsWindows())
        {
            return;
        }
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CinderBackupException(ErrorIds.ConfigInvalid, ErrorKind.Configuration,
                $"Configuration file '{path}' cannot be read: {e.Message}", path, e);
        }
        if ((mode & others) != 0)
        {
            var (key, line) = secrets[0];
            throw new CinderBackupException(ErrorIds.ConfigInsecure, ErrorKind.Configuration,
                $"Configuration file '{path}' holds credentials ('{key}', line {line}) but other users may access it (mode {Octal(mode)}): " +
                $"make it private with 'chmod 600 {path}', or give the credentials through the environment instead.", path);
        }
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');

    /// <summary>Parses YAML text into validated values (exposed for tests and for `config check`).</summary>
    internal static void Parse(string file, string text, IDictionary<string, object?> values) => Parse(file, text, values, null);

    /// <summary>Parses and validates; <paramref name="secrets"/> receives the credential keys found and their lines.</summary>
    internal static void Parse(string file, string text, IDictionary<string, object?> values, List<(string Key, int Line)>? secrets)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var message = StripMark(e.Message);
            if (message.StartsWith("Duplicate key ", StringComparison.Ordinal))
            {
                throw Error(file, e.Start.Line, $"key '{message["Duplicate key ".Length..]}' is set twice");
            }
            throw Error(file, e.Start.Line, $"not valid YAML: {message}");
        }
        if (stream.Documents.Count == 0)
        {
            return;
        }
        if (stream.Documents.Count > 1)
        {
            throw Error(file, stream.Documents[1].RootNode.Start.Line, "the file must hold a single YAML document");
        }
        var root = stream.Documents[0].RootNode;
        if (root is YamlScalarNode emptyScalar && string.IsNullOrEmpty(emptyScalar.Value))
        {
            return;
        }
        if (root is not YamlMappingNode map)
        {
            throw Error(file, root.Start.Line, "the top level must be a mapping of option names to values");
        }

        var baseDir = Path.GetDirectoryName(file) ?? Environment.CurrentDirectory;
        foreach (var (keyNode, valueNode) in map.Children)
        {
            if (keyNode is not YamlScalarNode keyScalar || string.IsNullOrEmpty(keyScalar.Value))
            {
                throw Error(file, keyNode.Start.Line, "option names must be plain strings");
            }
            var key = keyScalar.Value;
            if (key == ConfigSchema.RepositoriesKey)
            {
                if (values.ContainsKey(key))
                {
                    throw Error(file, keyNode.Start.Line, $"key '{key}' is set twice");
                }
                values[key] = ParseRepositories(file, keyNode, valueNode, baseDir, secrets);
                continue;
            }
            if (key == ConfigSchema.DatabaseKey)
            {
                if (values.ContainsKey(key))
                {
                    throw Error(file, keyNode.Start.Line, $"key '{key}' is set twice");
                }
                values[key] = ParseDatabase(file, valueNode, secrets);
                continue;
            }
            var option = ConfigSchema.Find(key)
                ?? throw Error(file, keyNode.Start.Line, $"unknown key '{key}'{ConfigSchema.Suggest(key)}");
            if (values.ContainsKey(key))
            {
                throw Error(file, keyNode.Start.Line, $"key '{key}' is set twice");
            }
            if (valueNode is not YamlScalarNode scalar)
            {
                throw Error(file, valueNode.Start.Line, $"'{key}' must be a single value, not a list or mapping");
            }
            var raw = scalar.Value;
            bool isNull = scalar.Style == ScalarStyle.Plain && (raw is null or "" or "~" or "null" or "Null" or "NULL");
            if (isNull)
            {
                continue;
            }
            values[key] = ConvertValue(file, (int)valueNode.Start.Line, option, raw!, baseDir);
            if (option.Secret)
            {
                secrets?.Add((key, (int)keyNode.Start.Line));
            }
        }

        object? TopLevel(string key) => values.TryGetValue(key, out var v) ? v : ConfigSchema.Find(key)!.Default;
        bool IsSetAtTop(string key) => values.ContainsKey(key);
        CheckRepositoryRules(file, TopLevel, IsSetAtTop, key => LineOf(map, key), null);
        if (values.TryGetValue(ConfigSchema.RepositoriesKey, out var r) && r is IReadOnlyList<RepositorySection> sections)
        {
            foreach (var section in sections)
            {
                CheckRepositoryRules(file,
                    key => section.Values.TryGetValue(key, out var v) ? v : TopLevel(key),
                    key => section.Values.ContainsKey(key) || IsSetAtTop(key),
                    key => section.Lines.TryGetValue(key, out var l) ? l : IsSetAtTop(key) ? LineOf(map, key) : section.Line,
                    section.Name);
            }
        }
    }

    /// <summary>
    /// Rules across keys of one repository (the top level, or a named repository with what it inherits): objects are
    /// whole numbers of hash blocks (Cinder's rule), and keys that only work together are set together.
    /// </summary>
    private static void CheckRepositoryRules(string file, Func<string, object?> get, Func<string, bool> isSet, Func<string, int> lineOf, string? repository)
    {
        var where = repository is null ? "" : $" (repository '{repository}')";
        void Multiple(string sizeKey, string blockKey)
        {
            var size = (long)get(sizeKey)!;
            var block = (long)get(blockKey)!;
            if (size % block != 0)
            {
                throw Error(file, lineOf(isSet(sizeKey) ? sizeKey : blockKey), $"'{sizeKey}' ({size}) must be a multiple of '{blockKey}' ({block}){where}");
            }
        }
        void Together(string a, string b)
        {
            if (get(a) is null != get(b) is null)
            {
                var missing = get(a) is null ? a : b;
                var present = get(a) is null ? b : a;
                throw Error(file, lineOf(present), $"'{present}' needs '{missing}' as well: set both or neither{where}");
            }
        }
        Multiple("backup_file_size", "backup_sha_block_size_bytes");
        Multiple("backup_s3_object_size", "backup_s3_block_size");
        Multiple("backup_swift_object_size", "backup_swift_block_size");
        Together("backup_s3_store_access_key", "backup_s3_store_secret_key");
        Together("backup_s3_sse_customer_key", "backup_s3_sse_customer_algorithm");
        if (get("backup_s3_sse_customer_key") is string sse && System.Text.Encoding.UTF8.GetByteCount(sse) != 32)
        {
            // The key itself is never shown.
            throw Error(file, lineOf("backup_s3_sse_customer_key"), $"'backup_s3_sse_customer_key' must be 32 bytes (a 256-bit key) for AES256{where}");
        }
    }

    /// <summary>
    /// The <c>repositories</c> mapping: name → options of that repository (any per-repository key, plus
    /// <c>default: true</c> on exactly one when there are several).
    /// </summary>
    private static IReadOnlyList<RepositorySection> ParseRepositories(string file, YamlNode keyNode, YamlNode valueNode, string baseDir,
        List<(string Key, int Line)>? secrets)
    {
        var key = ConfigSchema.RepositoriesKey;
        if (valueNode is not YamlMappingNode repos)
        {
            throw Error(file, valueNode.Start.Line, $"'{key}' must be a mapping of repository names to their options");
        }
        if (repos.Children.Count == 0)
        {
            throw Error(file, keyNode.Start.Line, $"'{key}' must name at least one repository");
        }
        var sections = new List<RepositorySection>();
        foreach (var (nameNode, body) in repos.Children)
        {
            if (nameNode is not YamlScalarNode nameScalar || string.IsNullOrEmpty(nameScalar.Value))
            {
                throw Error(file, nameNode.Start.Line, "repository names must be plain strings");
            }
            var name = nameScalar.Value;
            if (!RepositorySection.IsValidName(name))
            {
                throw Error(file, nameNode.Start.Line,
                    $"repository name '{PrintableText.Brief(name)}' must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
            var section = new RepositorySection(name, (int)nameNode.Start.Line);
            if (body is YamlScalarNode emptyBody && emptyBody.Style == ScalarStyle.Plain && string.IsNullOrEmpty(emptyBody.Value))
            {
                sections.Add(section);
                continue;
            }
            if (body is not YamlMappingNode options)
            {
                throw Error(file, body.Start.Line, $"repository '{name}' must be a mapping of options");
            }
            foreach (var (optionKey, optionValue) in options.Children)
            {
                var line = (int)optionKey.Start.Line;
                if (optionKey is not YamlScalarNode ks || string.IsNullOrEmpty(ks.Value))
                {
                    throw Error(file, line, $"option names must be plain strings (repository '{name}')");
                }
                var k = ks.Value;
                if (optionValue is not YamlScalarNode vs)
                {
                    throw Error(file, optionValue.Start.Line, $"'{k}' must be a single value, not a list or mapping (repository '{name}')");
                }
                if (k == ConfigSchema.DefaultFlagKey)
                {
                    section.IsDefault = (bool)ConvertValue(file, line, DefaultFlag, vs.Value ?? "", baseDir);
                    section.Lines[k] = line;
                    continue;
                }
                var option = ConfigSchema.Find(k)
                    ?? throw Error(file, line, $"unknown key '{k}' in repository '{name}'{ConfigSchema.Suggest(k, perRepository: true)}");
                if (!option.PerRepository)
                {
                    throw Error(file, line, $"'{k}' cannot be set per repository (in repository '{name}'); set it at the top level");
                }
                if (vs.Style == ScalarStyle.Plain && (vs.Value is null or "" or "~" or "null" or "Null" or "NULL"))
                {
                    continue;
                }
                section.Values[k] = ConvertValue(file, (int)optionValue.Start.Line, option, vs.Value!, baseDir);
                section.Lines[k] = line;
                if (option.Secret)
                {
                    secrets?.Add(($"{k}' of repository '{name}", line));
                }
            }
            sections.Add(section);
        }

        var defaults = sections.Where(s => s.IsDefault == true).ToList();
        if (defaults.Count > 1)
        {
            throw Error(file, defaults[1].Lines.GetValueOrDefault(ConfigSchema.DefaultFlagKey, defaults[1].Line), $"repository '{defaults[1].Name}' is marked 'default: true' but '{defaults[0].Name}' already is; exactly one repository is the default");
        }
        if (defaults.Count == 0)
        {
            if (sections.Count == 1 && sections[0].IsDefault is null)
            {
                sections[0].IsDefault = true;
            }
            else
            {
                throw Error(file, keyNode.Start.Line,
                    $"one repository must have 'default: true' (configured: {string.Join(", ", sections.Select(s => s.Name))})");
            }
        }
        return sections;
    }

    private static readonly ConfigOption DefaultFlag = new(ConfigSchema.DefaultFlagKey, ConfigValueKind.Bool, false, "This repository is the default.");

    private static object ConvertValue(string file, int line, ConfigOption option, string raw, string baseDir)
    {
        var key = option.Name;
        switch (option.Kind)
        {
            case ConfigValueKind.String:
                if (raw.Any(char.IsControl))
                {
                    throw Error(file, line, $"'{key}' must not contain control characters");
                }
                return raw;
            case ConfigValueKind.Path:
                if (raw.IndexOf('\0') >= 0 || raw.Any(char.IsControl))
                {
                    throw Error(file, line, $"'{key}' is not a valid path");
                }
                var expanded = raw.StartsWith("~/", StringComparison.Ordinal)
                    ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), raw[2..])
                    : raw;
                return Path.GetFullPath(Path.IsPathRooted(expanded) ? expanded : Path.Combine(baseDir, expanded));
            case ConfigValueKind.PathList:
                var parts = raw.Split(Path.PathSeparator);
                if (parts.Any(p => p.Trim().Length == 0))
                {
                    throw Error(file, line, $"'{key}' holds an empty path (separate paths with '{Path.PathSeparator}')");
                }
                return string.Join(Path.PathSeparator, parts.Select(p => (string)ConvertValue(file, line, option with { Kind = ConfigValueKind.Path }, p.Trim(), baseDir)));
            case ConfigValueKind.Bool:
                return raw.ToLowerInvariant() switch
                {
                    "true" or "yes" or "on" => true,
                    "false" or "no" or "off" => false,
                    _ => throw Error(file, line, $"'{key}' must be true or false, got '{raw}'"),
                };
            case ConfigValueKind.Int:
                if (!int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
                {
                    if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big))
                    {
                        CheckRange(file, line, option, big); // an integer, just out of range: say so
                    }
                    throw Error(file, line, $"'{key}' must be an integer, got '{PrintableText.Brief(raw)}'");
                }
                CheckRange(file, line, option, i);
                return i;
            case ConfigValueKind.Bytes:
                if (!TryParseBytes(raw, out var b))
                {
                    throw Error(file, line, $"'{key}' must be a byte count such as 134217728 or 128MiB, got '{raw}'");
                }
                CheckRange(file, line, option, b);
                return b;
            case ConfigValueKind.Url:
                if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
                {
                    throw Error(file, line, $"'{key}' must be an http:// or https:// URL, got '{PrintableText.Brief(raw)}'");
                }
                if (!string.IsNullOrEmpty(uri.UserInfo))
                {
                    throw Error(file, line, $"'{key}' must not hold credentials; use backup_s3_store_access_key and backup_s3_store_secret_key");
                }
                if (uri.AbsolutePath.Trim('/').Length > 0 || !string.IsNullOrEmpty(uri.Query))
                {
                    throw Error(file, line, $"'{key}' must be the server's address only (scheme, host and port), got '{PrintableText.Brief(raw)}'");
                }
                return uri.GetLeftPart(UriPartial.Authority);
            case ConfigValueKind.HttpUrl:
                if (!Uri.TryCreate(raw, UriKind.Absolute, out var full) || full.Scheme is not ("http" or "https") || string.IsNullOrEmpty(full.Host))
                {
                    throw Error(file, line, $"'{key}' must be an http:// or https:// URL, got '{PrintableText.Brief(raw)}'");
                }
                if (!string.IsNullOrEmpty(full.UserInfo) || !string.IsNullOrEmpty(full.Query) || !string.IsNullOrEmpty(full.Fragment))
                {
                    throw Error(file, line, $"'{key}' must be a URL without credentials, query or fragment (set backup_swift_user and backup_swift_key)");
                }
                return raw;
            case ConfigValueKind.NfsShare:
                var colon = raw.IndexOf(':');
                if (raw.Any(char.IsControl) || raw.Any(char.IsWhiteSpace) || colon <= 0 || colon + 1 >= raw.Length || raw[colon + 1] != '/')
                {
                    throw Error(file, line, $"'{key}' must be an NFS share such as 'server:/export/backup', got '{PrintableText.Brief(raw)}'");
                }
                return raw;
            case ConfigValueKind.Choice:
                var lower = raw.ToLowerInvariant();
                var choice = NormalizeChoice(key, lower);
                var match = option.Choices!.FirstOrDefault(c => string.Equals(c, choice, StringComparison.OrdinalIgnoreCase));
                if (match is not null && match != choice)
                {
                    return match;
                }
                if (!option.Choices!.Contains(choice))
                {
                    throw Error(file, line, $"'{key}' must be one of {string.Join(", ", option.Choices!)}, got '{raw}'");
                }
                return choice;
            default:
                throw new InvalidOperationException(option.Kind.ToString());
        }
    }

    /// <summary>Accepts Cinder's class paths for the driver (cinder.backup.drivers.nfs[.NFSBackupDriver]).</summary>
    private static string NormalizeChoice(string key, string value)
    {
        if (key == "backup_driver" && value.StartsWith("cinder.backup.drivers.", StringComparison.Ordinal))
        {
            var rest = value["cinder.backup.drivers.".Length..];
            var dot = rest.IndexOf('.');
            return dot < 0 ? rest : rest[..dot];
        }
        return value;
    }

    private static void CheckRange(string file, int line, ConfigOption option, long value)
    {
        if (value < option.Min || value > option.Max)
        {
            var range = option.Max == int.MaxValue || option.Max == long.MaxValue
                ? value < option.Min ? $"at least {option.Min}" : $"at most {option.Max}"
                : $"between {option.Min} and {option.Max}";
            throw Error(file, line, $"'{option.Name}' must be {range}, got {value}");
        }
    }

    internal static bool TryParseBytes(string raw, out long value)
    {
        value = 0;
        var s = raw.Trim();
        long multiplier = 1;
        foreach (var (suffix, mult) in new (string, long)[] { ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40) })
        {
            if (s.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                s = s[..^suffix.Length].TrimEnd();
                multiplier = mult;
                break;
            }
        }
        if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }
        try
        {
            value = checked(n * multiplier);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static int LineOf(YamlMappingNode map, string key)
    {
        foreach (var (k, _) in map.Children)
        {
            if (k is YamlScalarNode s && s.Value == key)
            {
                return (int)k.Start.Line;
            }
        }
        return 1;
    }

    private static string StripMark(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; we report the line ourselves.
        var idx = message.LastIndexOf("): ", StringComparison.Ordinal);
        return idx >= 0 && message.StartsWith("(Line", StringComparison.Ordinal) ? message[(idx + 3)..] : message;
    }

    private static CinderBackupException Error(string file, long line, string what) =>
        new(ErrorIds.ConfigInvalid, ErrorKind.Configuration, $"Configuration file '{file}', line {line}: {what}.", file);
}
