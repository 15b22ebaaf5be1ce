using System.Text;
using CinderBackup.Engine.Util;

namespace CinderBackup.Cli.Output;

/// <summary>
/// Renders tables exactly as the openstack client (cliff + prettytable) does: one space of padding, headers
/// justified like their column, numbers right-aligned when the first row's value is a number, multi-line
/// cells spread over several lines.
/// </summary>
internal static class PrettyTable
{
    public static string Render(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<object?>> rows, IReadOnlyList<bool> rightAlign)
    {
        var cells = rows.Select(r => r.Select(v => Text(v).Split('\n')).ToList()).ToList();
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in cells)
        {
            for (var i = 0; i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Max(l => l.Length));
            }
        }
        var sb = new StringBuilder();
        var rule = "+" + string.Join("+", widths.Select(w => new string('-', w + 2))) + "+";
        sb.Append(rule).Append('\n');
        AppendLine(sb, headers.ToArray(), widths, rightAlign);
        sb.Append(rule).Append('\n');
        foreach (var row in cells)
        {
            var height = row.Max(c => c.Length);
            for (var line = 0; line < height; line++)
            {
                AppendLine(sb, row.Select(c => line < c.Length ? c[line] : "").ToArray(), widths, rightAlign);
            }
        }
        sb.Append(rule);
        return sb.ToString();
    }

    /// <summary>
    /// The text of a value as Python's str() prints it (None, True, False). Control characters in strings (names and
    /// descriptions imported from Cinder may hold them) are shown as <c>\uXXXX</c>, never sent to the terminal; only
    /// the line breaks of a <see cref="Cell"/> the tool laid out itself stay.
    /// </summary>
    public static string Text(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        Cell c => PrintableText.Escape(c.HumanReadable, keepNewlines: true),
        string s => PrintableText.Escape(s),
        _ => PrintableText.Escape(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
    };

    public static bool IsNumber(object? value) => value is int or long or double or float or decimal;

    private static void AppendLine(StringBuilder sb, string[] texts, int[] widths, IReadOnlyList<bool> rightAlign)
    {
        sb.Append('|');
        for (var i = 0; i < texts.Length; i++)
        {
            var t = texts[i];
            sb.Append(' ').Append(rightAlign[i] ? t.PadLeft(widths[i]) : t.PadRight(widths[i])).Append(" |");
        }
        sb.Append('\n');
    }
}
