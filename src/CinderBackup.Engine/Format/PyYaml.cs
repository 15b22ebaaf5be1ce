using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CinderBackup.Engine.Format;

/// <summary>
/// The subset of PyYAML's <c>safe_dump(default_flow_style=False)</c> the openstack client's yaml output
/// needs: block mappings and sequences, plain scalars where PyYAML leaves them plain, single quotes where it
/// would quote. Dictionary keys are sorted, as safe_dump does.
/// </summary>
public static partial class PyYaml
{
    [GeneratedRegex(@"^(?:[-+]?(?:0|[1-9][0-9_]*)|[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$")]
    private static partial Regex IntLike();

    [GeneratedRegex(@"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")]
    private static partial Regex FloatLike();

    [GeneratedRegex(@"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$")]
    private static partial Regex TimestampLike();

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
        "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", "=", "<<",
    };

    public static string Dump(object? value)
    {
        var sb = new StringBuilder();
        Write(sb, value, 0, inSequence: false);
        return sb.ToString();
    }

    public static string Scalar(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        int or long => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s => QuoteIfNeeded(s),
        _ => QuoteIfNeeded(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };

    private static void Write(StringBuilder sb, object? value, int indent, bool inSequence)
    {
        switch (value)
        {
            case IEnumerable<KeyValuePair<string, object?>> dict:
                var items = dict.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
                if (items.Count == 0)
                {
                    sb.Append("{}\n");
                    return;
                }
                var first = true;
                foreach (var (k, v) in items)
                {
                    if (!(first && inSequence))
                    {
                        sb.Append(' ', indent);
                    }
                    first = false;
                    sb.Append(QuoteIfNeeded(k)).Append(':');
                    WriteChild(sb, v, indent);
                }
                return;
            case string or null or bool or int or long or double:
                sb.Append(Scalar(value)).Append('\n');
                return;
            case System.Collections.IEnumerable list:
                var elements = list.Cast<object?>().ToList();
                if (elements.Count == 0)
                {
                    sb.Append("[]\n");
                    return;
                }
                var firstElement = true;
                foreach (var e in elements)
                {
                    if (!(firstElement && inSequence))
                    {
                        sb.Append(' ', indent);
                    }
                    firstElement = false;
                    sb.Append("- ");
                    if (IsContainer(e) && !IsEmptyContainer(e))
                    {
                        Write(sb, e, indent + 2, inSequence: true);
                    }
                    else
                    {
                        Write(sb, e, 0, inSequence: false);
                    }
                }
                return;
            default:
                sb.Append(Scalar(value)).Append('\n');
                return;
        }
    }

    private static void WriteChild(StringBuilder sb, object? v, int indent)
    {
        if (IsContainer(v) && !IsEmptyContainer(v))
        {
            sb.Append('\n');
            // PyYAML indents mappings under a key by 2 and sequences under a key by 0.
            Write(sb, v, v is IEnumerable<KeyValuePair<string, object?>> ? indent + 2 : indent, inSequence: false);
        }
        else
        {
            sb.Append(' ');
            Write(sb, v, 0, inSequence: false);
        }
    }

    private static bool IsContainer(object? v) => v is not (null or string) && v is System.Collections.IEnumerable;

    private static bool IsEmptyContainer(object? v) => v is System.Collections.IEnumerable e && !e.Cast<object?>().Any();

    private static string QuoteIfNeeded(string s)
    {
        if (NeedsQuotes(s))
        {
            if (s.Any(c => (char.IsControl(c) && c != '\n') || c > '~'))
            {
                return DoubleQuoted(s);
            }
            return "'" + s.Replace("'", "''").Replace("\n", "\n\n") + "'";
        }
        return s;
    }

    private static bool NeedsQuotes(string s)
    {
        if (Reserved.Contains(s) || IntLike().IsMatch(s) || FloatLike().IsMatch(s) || TimestampLike().IsMatch(s))
        {
            return true;
        }
        if (char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1]) || "-?:,[]{}#&*!|>'\"%@`".Contains(s[0]))
        {
            // "-", "?" and ":" start a plain scalar only when followed by a non-space character.
            if (!("-?:".Contains(s[0]) && s.Length > 1 && !char.IsWhiteSpace(s[1])))
            {
                return true;
            }
        }
        return s.Contains(": ") || s.Contains(" #") || s.EndsWith(':') || s.Contains('\n') || s.Any(c => char.IsControl(c) || c > '~');
    }

    private static string DoubleQuoted(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(c) || (c > '~' && c < 0x100) => $"\\x{(int)c:X2}",
                _ when c > '~' => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }
}
