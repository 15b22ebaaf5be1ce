using System.Text;

namespace CinderBackup.Engine.Util;

/// <summary>
/// Text for a terminal. Names and descriptions imported from Cinder, and object names found in a repository, may
/// hold control characters (an escape sequence would act on the terminal): every human-readable output shows each
/// one as <c>\uXXXX</c>, as error messages do. Machine formats (JSON, YAML) carry them in their own escapes.
/// </summary>
public static class PrintableText
{
    /// <summary>True when <paramref name="value"/> holds a control character (C0, DEL or C1).</summary>
    public static bool HasControl(string? value) => value is not null && value.Any(char.IsControl);

    /// <summary>
    /// A value for an error message: at most 80 characters (then "..."), control characters escaped, so a message
    /// never carries them raw however long or strange the input was.
    /// </summary>
    public static string Brief(string value) => Escape(value.Length > 80 ? value[..80] + "..." : value);

    /// <summary>
    /// <paramref name="value"/> with every control character written as <c>\uXXXX</c>; with
    /// <paramref name="keepNewlines"/>, line feeds stay (for text the tool itself lays out over several lines).
    /// </summary>
    public static string Escape(string value, bool keepNewlines = false)
    {
        if (!value.Any(c => char.IsControl(c) && !(keepNewlines && c == '\n')))
        {
            return value;
        }
        var sb = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            if (char.IsControl(c) && !(keepNewlines && c == '\n'))
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
