using System.Management.Automation;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>
/// Get-* filtering by -Name: patterns match names (wildcards, case-insensitive) or IDs; a pattern without
/// wildcards that matches nothing is reported, as Get-Item does; each item is emitted once.
/// </summary>
internal static class NameFilter
{
    public static IEnumerable<T> Apply<T>(IEnumerable<T> items, IEnumerable<string> patterns, Func<T, string?> name,
        Func<T, string> id, Action<string> notFound)
    {
        var list = items.ToList();
        var seen = new HashSet<string>();
        foreach (var pattern in patterns)
        {
            var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
            var found = list.Where(x => (name(x) is string n && wildcard.IsMatch(n)) || id(x) == pattern).ToList();
            if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
            {
                notFound(pattern);
            }
            foreach (var item in found.Where(x => seen.Add(id(x))))
            {
                yield return item;
            }
        }
    }
}
