using System.Globalization;
using CinderBackup.Cli.Output;

namespace CinderBackup.Cli.Views;

/// <summary>Value renderings shared by the views, matching the openstack client.</summary>
internal static class Formats
{
    /// <summary>Cinder's API datetime: <c>2024-02-26T12:20:41.000000</c>.</summary>
    public static string? Time(DateTime? t) => t?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    /// <summary>Dictionary columns: <c>a='1', b='2'</c> in tables, a mapping in json and yaml.</summary>
    public static Cell Properties(IReadOnlyDictionary<string, string> metadata) => new(
        string.Join(", ", metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}='{kv.Value}'")),
        metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)).ToList());

    /// <summary>Fields sorted by name, as the openstack client prints show tables.</summary>
    public static IReadOnlyList<(string Name, object? Value)> Sorted(IEnumerable<(string Name, object? Value)> fields) =>
        fields.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
}
