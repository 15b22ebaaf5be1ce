using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Json;
using CinderBackup.Engine.Yaml;

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
                    w.Write(PrettyTable.Text(f.Value is Cell c ? Str(c.MachineReadable) : f.Value));
                    w.Write('\n');
                }
                break;
            case "shell":
                foreach (var f in chosen)
                {
                    var name = f.Name.ToLowerInvariant().Replace(' ', '_').Replace(':', '_').Replace('-', '_');
                    var value = PrettyTable.Text(f.Value is Cell c ? Str(c.MachineReadable) : f.Value).Replace("\"", "\\\"");
                    w.Write($"{spec.Prefix}{name}=\"{value}\"\n");
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
                    w.Write(string.Join(" ", r.Select(v => PrettyTable.Text(v is Cell c ? Str(c.MachineReadable) : v))));
                    w.Write('\n');
                }
                break;
            case "csv":
                w.Write(string.Join(",", names.Select(Csv)) + "\n");
                foreach (var r in data)
                {
                    w.Write(string.Join(",", r.Select(v => Csv(PrettyTable.Text(v is Cell c ? Str(c.MachineReadable) : v)))) + "\n");
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
