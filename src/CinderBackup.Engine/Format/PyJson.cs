using System.Globalization;
using System.Text;

namespace CinderBackup.Engine.Format;

/// <summary>
/// Byte-exact <c>json.dumps</c> of CPython: <c>ensure_ascii</c> escapes (lowercase \uXXXX, surrogate pairs),
/// separators <c>", "</c>/<c>": "</c> without indent and <c>","</c>/<c>": "</c> with it, <c>[]</c>/<c>{}</c> for
/// empty containers, no trailing newline. Values: null, bool, integers, double, string, lists, and
/// dictionaries (any <see cref="IEnumerable{T}"/> of string-keyed pairs; insertion order unless sorted).
/// </summary>
public static class PyJson
{
    public static string Dumps(object? value, int? indent = null, bool sortKeys = false)
    {
        var sb = new StringBuilder();
        Write(sb, value, indent, sortKeys, 0);
        return sb.ToString();
    }

    /// <summary>Python's JSON string literal for <paramref name="s"/>, quotes included.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        AppendString(sb, s);
        return sb.ToString();
    }

    public static void AppendString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < ' ' || c > '~')
                    {
                        // UTF-16 code units are exactly Python's surrogate-pair escapes for astral characters.
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>Python's <c>repr</c> of a float as json writes it.</summary>
    public static string FormatDouble(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }
        if (double.IsInfinity(d))
        {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        if (r.Contains('E'))
        {
            // Python writes 1e+16 / 1e-05 where .NET writes 1E+16 / 1E-05.
            var mantissa = r[..r.IndexOf('E')];
            var exp = int.Parse(r[(r.IndexOf('E') + 1)..], CultureInfo.InvariantCulture);
            return $"{mantissa}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
        }
        return r.Contains('.') ? r : r + ".0";
    }

    private static void Write(StringBuilder sb, object? value, int? indent, bool sortKeys, int level)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                return;
            case bool b:
                sb.Append(b ? "true" : "false");
                return;
            case string s:
                AppendString(sb, s);
                return;
            case int or long or short or byte or uint or ulong:
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
            case double d:
                sb.Append(FormatDouble(d));
                return;
            case float f:
                sb.Append(FormatDouble(f));
                return;
            case DateTime:
                throw new ArgumentException("Format DateTime values explicitly before serialising.");
            case IEnumerable<KeyValuePair<string, object?>> dict:
                WriteObject(sb, dict, indent, sortKeys, level);
                return;
            case IEnumerable<KeyValuePair<string, string>> sdict:
                WriteObject(sb, sdict.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)), indent, sortKeys, level);
                return;
            case System.Collections.IEnumerable list:
                WriteArray(sb, list.Cast<object?>(), indent, sortKeys, level);
                return;
            default:
                throw new ArgumentException($"Cannot serialise {value.GetType()} as JSON.");
        }
    }

    private static void WriteObject(StringBuilder sb, IEnumerable<KeyValuePair<string, object?>> dict, int? indent, bool sortKeys, int level)
    {
        var items = sortKeys ? dict.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList() : dict.ToList();
        if (items.Count == 0)
        {
            sb.Append("{}");
            return;
        }
        sb.Append('{');
        for (var i = 0; i < items.Count; i++)
        {
            Separator(sb, i, indent, level + 1);
            AppendString(sb, items[i].Key);
            sb.Append(": ");
            Write(sb, items[i].Value, indent, sortKeys, level + 1);
        }
        Close(sb, indent, level);
        sb.Append('}');
    }

    private static void WriteArray(StringBuilder sb, IEnumerable<object?> list, int? indent, bool sortKeys, int level)
    {
        var items = list.ToList();
        if (items.Count == 0)
        {
            sb.Append("[]");
            return;
        }
        sb.Append('[');
        for (var i = 0; i < items.Count; i++)
        {
            Separator(sb, i, indent, level + 1);
            Write(sb, items[i], indent, sortKeys, level + 1);
        }
        Close(sb, indent, level);
        sb.Append(']');
    }

    private static void Separator(StringBuilder sb, int index, int? indent, int level)
    {
        if (indent is int n)
        {
            if (index > 0)
            {
                sb.Append(',');
            }
            sb.Append('\n').Append(' ', n * level);
        }
        else if (index > 0)
        {
            sb.Append(", ");
        }
    }

    private static void Close(StringBuilder sb, int? indent, int level)
    {
        if (indent is int n)
        {
            sb.Append('\n').Append(' ', n * level);
        }
    }
}
