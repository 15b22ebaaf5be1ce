using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Util;

namespace CinderBackup.Cli.Output;

/// <summary>Writes one record (Field/Value) or a list (columns) in the format the user chose, as cliff does.</summary>
internal static class Formatter
{
    public static readonly string[] Formats = { "table", "json", "yaml", "value", "shell" };
    public static readonly string[] ListFormats = { "table", "json", "yaml", "value", "csv" };

    public static void ShowOne(TextWriter w, OutputSpec spec, IReadOnlyList<(string Name, object? Value)> fields)
    {
        var selected = Select(spec, fields.Select(f => f.Name).ToList());
        var chosen = fields.Where(f => selected.Contains(f.Name)).ToList();
        switch (spec.Format)
        {
            case "table":
                if (chosen.Count > 0)
                {
                    w.Write(PrettyTable.Render(new[] { "Field", "Value" },
                        chosen.Select(f => (IReadOnlyList<object?>)new object?[] { f.Name, f.Value }).ToList(),
                        new[] { false, false }));
                    w.Write('\n');
                }
                break;
            case "json":
                w.Write(PyJson.Dumps(chosen.Select(f => new KeyValuePair<string, object?>(f.Name, Machine(f.Value))).ToList(), spec.NoIndent ? null : 2));
                w.Write('\n');
                break;
            case "yaml":
                foreach (var f in chosen)
                {
                    w.Write(PyYaml.Dump(new[] { new KeyValuePair<string, object?>(f.Name, Machine(f.Value)) }));
                }
                break;
            case "value":
                foreach (var f in chosen)
                {
                    w.Write(ValueText(f.Value));
                    w.Write('\n');
                }
                break;
            case "shell":
                CheckShellPrefix(spec.Prefix);
                foreach (var f in chosen)
                {
                    w.Write($"{spec.Prefix}{ShellName(f.Name)}={ShellQuote(RawText(f.Value is Cell c ? Str(c.MachineReadable) : f.Value))}\n");
                }
                break;
            default:
                throw BadFormat(spec.Format, Formats);
        }
    }

    public static void ShowList(TextWriter w, OutputSpec spec, IReadOnlyList<string> columns, IReadOnlyList<object?[]> rows)
    {
        var selected = Select(spec, columns);
        var indexes = columns.Select((c, i) => (c, i)).Where(x => selected.Contains(x.c)).Select(x => x.i).ToList();
        var names = indexes.Select(i => columns[i]).ToList();
        var data = rows.Select(r => (IReadOnlyList<object?>)indexes.Select(i => r[i]).ToList()).ToList();
        switch (spec.Format)
        {
            case "table":
                if (data.Count > 0)
                {
                    var right = names.Select((_, i) => PrettyTable.IsNumber(data[0][i])).ToList();
                    w.Write(PrettyTable.Render(names, data, right));
                }
                w.Write('\n');
                break;
            case "json":
                w.Write(PyJson.Dumps(data.Select(r => names.Select((n, i) => new KeyValuePair<string, object?>(n, Machine(r[i]))).ToList()).ToList(),
                    spec.NoIndent ? null : 2));
                w.Write('\n');
                break;
            case "yaml":
                if (data.Count == 0)
                {
                    w.Write("[]\n");
                }
                else
                {
                    w.Write(PyYaml.Dump(data.Select(r => names.Select((n, i) => new KeyValuePair<string, object?>(n, Machine(r[i]))).ToList()).ToList()));
                }
                break;
            case "value":
                foreach (var r in data)
                {
                    w.Write(string.Join(" ", r.Select(ValueText)));
                    w.Write('\n');
                }
                break;
            case "csv":
                w.Write(string.Join(",", names.Select(Csv)) + "\n");
                foreach (var r in data)
                {
                    w.Write(string.Join(",", r.Select(v => Csv(ValueText(v)))) + "\n");
                }
                break;
            default:
                throw BadFormat(spec.Format, ListFormats);
        }
    }

    private static HashSet<string> Select(OutputSpec spec, IReadOnlyList<string> names)
    {
        if (spec.Columns.Count == 0)
        {
            return names.ToHashSet(StringComparer.Ordinal);
        }
        var chosen = names.Where(spec.Columns.Contains).ToHashSet(StringComparer.Ordinal);
        if (chosen.Count == 0)
        {
            throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                $"No recognized column names in {PyList(spec.Columns)}. Recognized columns are {PyTuple(names)}.", spec.Columns);
        }
        return chosen;
    }

    private static object? Machine(object? v) => v is Cell c ? c.MachineReadable : v;

    /// <summary>
    /// A value for -f value and csv: the machine-readable form as text, control characters shown as <c>\uXXXX</c>
    /// (the line breaks of a cell we laid out stay, as cliff prints them).
    /// </summary>
    private static string ValueText(object? v) => v is Cell { MachineReadable: string s } ? PrettyTable.Text(new Cell(s, s))
        : PrettyTable.Text(v is Cell c ? Str(c.MachineReadable) : v);

    /// <summary>The value exactly, as Python's str() prints it: what -f shell hands to the shell.</summary>
    private static string RawText(object? v) => v switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        Cell c => c.HumanReadable,
        string s => s,
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>cliff's variable name (lower case; space, colon and dash become underscores), and nothing else.</summary>
    private static string ShellName(string field) =>
        new(field.ToLowerInvariant().Select(ch => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' ? ch : '_').ToArray());

    /// <summary>
    /// A shell word that is exactly <paramref name="value"/> and runs nothing under <c>eval</c>. cliff writes
    /// <c>"value"</c> escaping only <c>"</c>, so <c>$(...)</c> and backticks in a name ran; here <c>\</c>,
    /// <c>"</c>, <c>$</c> and <c>`</c> are escaped too. A value with control characters is written
    /// <c>$'...'</c> with <c>\xHH</c> escapes (bash, zsh, ksh; POSIX.1-2024), so none reaches the output raw; a
    /// shell without <c>$'...'</c> (dash) keeps the text literally and still runs nothing.
    /// </summary>
    internal static string ShellQuote(string value)
    {
        var sb = new System.Text.StringBuilder(value.Length + 8);
        if (!PrintableText.HasControl(value))
        {
            sb.Append('"');
            foreach (var ch in value)
            {
                if (ch is '\\' or '"' or '$' or '`')
                {
                    sb.Append('\\');
                }
                sb.Append(ch);
            }
            return sb.Append('"').ToString();
        }
        sb.Append("$'");
        foreach (var ch in value)
        {
            if (char.IsControl(ch))
            {
                foreach (var b in System.Text.Encoding.UTF8.GetBytes(ch.ToString()))
                {
                    sb.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            else
            {
                if (ch is '\\' or '\'')
                {
                    sb.Append('\\');
                }
                sb.Append(ch);
            }
        }
        return sb.Append('\'').ToString();
    }

    /// <summary>--prefix goes before every variable name unquoted, so it must itself be part of a shell name.</summary>
    private static void CheckShellPrefix(string prefix)
    {
        if (prefix.Length > 0 && !(prefix[0] is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or '_'
            && prefix.All(ch => ch is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_')))
        {
            throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                $"argument --prefix: '{PrintableText.Escape(prefix)}' is not a shell variable name prefix (letters, digits and '_', not starting with a digit).", prefix);
        }
    }

    private static object? Str(object? v) => v switch
    {
        null => null,
        string or bool or int or long => v,
        _ => PyJson.Dumps(v),
    };

    private static string Csv(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";

    private static string PyList(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(i => "'" + i + "'")) + "]";

    private static string PyTuple(IEnumerable<string> items) => "(" + string.Join(", ", items.Select(i => "'" + i + "'")) + ")";

    private static CinderBackupException BadFormat(string format, string[] allowed) =>
        new(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
            $"argument -f/--format: invalid choice: '{format}' (choose from {string.Join(", ", allowed.Select(a => "'" + a + "'"))})", format);
}
