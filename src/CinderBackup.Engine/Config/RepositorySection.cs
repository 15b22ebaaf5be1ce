using System.Text.RegularExpressions;

namespace CinderBackup.Engine.Config;

/// <summary>One entry of the configuration's <c>repositories</c> mapping, as written in the file.</summary>
internal sealed class RepositorySection
{
    private static readonly Regex NamePattern = new("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant);

    public RepositorySection(string name, int line)
    {
        Name = name;
        Line = line;
    }

    public string Name { get; }

    /// <summary>The line of the repository's name in the file.</summary>
    public int Line { get; }

    /// <summary>Its <c>default:</c> flag, or null when the file does not set one.</summary>
    public bool? IsDefault { get; set; }

    /// <summary>The options the repository sets itself; the others come from the top level, then the defaults.</summary>
    public Dictionary<string, object?> Values { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> Lines { get; } = new(StringComparer.Ordinal);

    public static bool IsValidName(string name) => NamePattern.IsMatch(name);
}
