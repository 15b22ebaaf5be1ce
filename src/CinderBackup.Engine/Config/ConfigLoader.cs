using System.Globalization;
using CinderBackup.Engine.Errors;
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
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CinderBackupException(ErrorIds.ConfigInvalid, ErrorKind.Configuration,
                    $"Configuration file '{path}' cannot be read: {e.Message}", path, e);
            }
            Parse(path, text, values);
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
        return new EngineConfig(source, values, dataDir);
    }

    /// <summary>Parses YAML text into validated values (exposed for tests and for `config check`).</summary>
    internal static void Parse(string file, string text, IDictionary<string, object?> values)
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
            var option = ConfigSchema.Find(key)
                ?? throw Error(file, keyNode.Start.Line, $"unknown key '{key}'");
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
        }

        // Cross-field rule Cinder enforces: objects are whole numbers of SHA blocks.
        var fileSize = values.TryGetValue("backup_file_size", out var fs) ? (long)fs! : (long)ConfigSchema.Find("backup_file_size")!.Default!;
        var shaBlock = values.TryGetValue("backup_sha_block_size_bytes", out var sb) ? (long)sb! : (long)ConfigSchema.Find("backup_sha_block_size_bytes")!.Default!;
        if (fileSize % shaBlock != 0)
        {
            var line = LineOf(map, values.ContainsKey("backup_file_size") ? "backup_file_size" : "backup_sha_block_size_bytes");
            throw Error(file, line, $"'backup_file_size' ({fileSize}) must be a multiple of 'backup_sha_block_size_bytes' ({shaBlock})");
        }
    }

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
                    throw Error(file, line, $"'{key}' must be an integer, got '{raw}'");
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
            case ConfigValueKind.Choice:
                var lower = raw.ToLowerInvariant();
                var choice = NormalizeChoice(key, lower);
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
                ? $"at least {option.Min}"
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
