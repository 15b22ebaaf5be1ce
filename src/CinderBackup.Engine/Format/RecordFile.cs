using System.Text;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Util;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CinderBackup.Engine.Format;

/// <summary>
/// Record files: what <c>openstack volume backup record export -f yaml</c> prints, a mapping with exactly
/// <c>backup_service</c> and <c>backup_url</c>. A file may hold several records, as YAML documents separated by
/// <c>---</c> or as a sequence of such mappings. Reading is strict: anything else is an error naming the file and line.
/// </summary>
internal static class RecordFile
{
    public const long MaxFileBytes = 16L * 1024 * 1024;
    private static readonly string[] Keys = { "backup_service", "backup_url" };

    /// <summary>The YAML of one or more records, byte for byte what the openstack client prints for one.</summary>
    public static string Format(IEnumerable<BackupRecord> records) =>
        string.Join("---\n", records.Select(r => PyYaml.Dump(new[]
        {
            new KeyValuePair<string, object?>("backup_service", r.BackupService),
            new KeyValuePair<string, object?>("backup_url", r.BackupUrl),
        })));

    /// <summary>
    /// Writes records to <paramref name="path"/> atomically (a temporary file renamed into place), mode 0600.
    /// <paramref name="noClobber"/> refuses an existing file; <paramref name="force"/> replaces a read-only one.
    /// </summary>
    public static void Write(string path, IReadOnlyList<BackupRecord> records, bool noClobber, bool force)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.NotFound,
                $"Cannot write the record file '{full}': the directory '{dir}' does not exist.", path);
        }
        if (Directory.Exists(full))
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.InvalidArgument,
                $"Cannot write the record file '{full}': it is a directory.", path);
        }
        if (File.Exists(full))
        {
            if (noClobber)
            {
                throw Exists(full);
            }
            if (IsReadOnly(full) && !force)
            {
                throw new CinderBackupException(ErrorIds.FileExists, ErrorKind.PermissionDenied,
                    $"The record file '{full}' is read-only; use -Force to replace it. Nothing was written.", path);
            }
        }
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(new UTF8Encoding(false).GetBytes(Format(records)));
                stream.Flush(flushToDisk: true);
            }
            if (noClobber)
            {
                File.Move(temp, full, overwrite: false);
            }
            else
            {
                if (File.Exists(full) && IsReadOnly(full))
                {
                    File.SetAttributes(full, File.GetAttributes(full) & ~FileAttributes.ReadOnly);
                }
                File.Move(temp, full, overwrite: true);
            }
        }
        catch (IOException) when (noClobber && File.Exists(full))
        {
            throw Exists(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.IOError,
                $"Cannot write the record file '{full}': {e.Message}", path, e);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Reads every record of a file; <see cref="BackupRecord.Source"/> names the file and line of each.</summary>
    public static IReadOnlyList<BackupRecord> Read(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw Bad(full, null, "it is a directory, not a record file");
        }
        if (!File.Exists(full))
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.NotFound, $"The record file '{full}' does not exist.", path);
        }
        string text;
        try
        {
            var length = new FileInfo(full).Length;
            if (length > MaxFileBytes)
            {
                throw Bad(full, null, $"it is {length} bytes; a record file is at most {MaxFileBytes} bytes");
            }
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(full));
        }
        catch (DecoderFallbackException)
        {
            throw Bad(full, null, "it is not UTF-8 text");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.IOError, $"Cannot read the record file '{full}': {e.Message}", path, e);
        }
        return Parse(text, full);
    }

    /// <summary>Parses record YAML; <paramref name="name"/> names its origin in errors and sources.</summary>
    public static IReadOnlyList<BackupRecord> Parse(string text, string name)
    {
        var records = new List<BackupRecord>();
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            while (!parser.Accept<StreamEnd>(out _))
            {
                parser.Consume<DocumentStart>();
                if (parser.TryConsume<SequenceStart>(out _))
                {
                    while (!parser.TryConsume<SequenceEnd>(out _))
                    {
                        records.Add(ReadMapping(parser, name));
                    }
                }
                else
                {
                    records.Add(ReadMapping(parser, name));
                }
                parser.Consume<DocumentEnd>();
            }
        }
        catch (YamlException e) when (e is not RecordYamlException)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            var at = reason.IndexOf("): ", StringComparison.Ordinal);
            throw Bad(name, e.Start.Line, (at >= 0 ? reason[(at + 3)..] : reason).TrimEnd('.') + " (is the indentation right?)");
        }
        catch (RecordYamlException e)
        {
            throw Bad(name, e.Start.Line, e.Reason);
        }
        if (records.Count == 0)
        {
            throw Bad(name, null, "it holds no record (expected backup_service and backup_url)");
        }
        return records;
    }

    private static BackupRecord ReadMapping(IParser parser, string name)
    {
        var current = parser.Current!;
        if (!parser.TryConsume<MappingStart>(out var start))
        {
            throw new RecordYamlException(current.Start,
                $"expected a record (a mapping with backup_service and backup_url), found {Describe(current)}");
        }
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyEvent = parser.Current!;
            if (!parser.TryConsume<Scalar>(out var key))
            {
                throw new RecordYamlException(keyEvent.Start, $"expected a key, found {Describe(keyEvent)}");
            }
            if (!Keys.Contains(key.Value, StringComparer.Ordinal))
            {
                throw new RecordYamlException(key.Start,
                    $"unexpected key '{PrintableText.Brief(key.Value)}' (a record has exactly backup_service and backup_url)");
            }
            if (values.ContainsKey(key.Value))
            {
                throw new RecordYamlException(key.Start, $"the key '{key.Value}' appears twice");
            }
            var valueEvent = parser.Current!;
            if (!parser.TryConsume<Scalar>(out var value))
            {
                throw new RecordYamlException(valueEvent.Start, $"the value of '{key.Value}' must be a string, found {Describe(valueEvent)}");
            }
            var isNull = value.Style == ScalarStyle.Plain && value.Value is "" or "~" or "null" or "Null" or "NULL";
            values[key.Value] = isNull ? null : value.Value;
        }
        foreach (var k in Keys)
        {
            if (!values.TryGetValue(k, out var v))
            {
                throw new RecordYamlException(start.Start, $"the record lacks '{k}'");
            }
            if (v is null)
            {
                throw new RecordYamlException(start.Start, $"'{k}' is empty; it must be a string (write '' for an empty backup_service)");
            }
        }
        return new BackupRecord
        {
            BackupService = values["backup_service"]!,
            BackupUrl = values["backup_url"]!,
            Source = $"record file '{name}', line {start.Start.Line}",
        };
    }

    private static string Describe(ParsingEvent e) => e switch
    {
        Scalar s => $"the text '{PrintableText.Brief(s.Value.Length > 40 ? s.Value[..40] + "..." : s.Value)}'",
        SequenceStart => "a list",
        MappingStart => "a mapping",
        AnchorAlias => "an alias",
        _ => e.GetType().Name,
    };

    private static bool IsReadOnly(string path) =>
        (File.GetAttributes(path) & FileAttributes.ReadOnly) != 0 ||
        (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.UserWrite) == 0);

    private static CinderBackupException Exists(string full) =>
        new(ErrorIds.FileExists, ErrorKind.Conflict,
            $"The record file '{full}' already exists and -NoClobber was given. Nothing was written.", full);

    private static CinderBackupException Bad(string name, long? line, string reason) =>
        new(ErrorIds.RecordFileInvalid, ErrorKind.InvalidData,
            $"Record file '{name}'{(line is null ? "" : $", line {line}")}: {reason}.", name);

    /// <summary>A structural problem found while walking the events, with the position it was found at.</summary>
    private sealed class RecordYamlException : YamlException
    {
        public RecordYamlException(Mark start, string message)
            : base(start, start, message)
        {
            Reason = message;
        }

        public string Reason { get; }
    }
}
