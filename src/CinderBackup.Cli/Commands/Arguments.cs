using CinderBackup.Engine.Errors;

namespace CinderBackup.Cli.Commands;

/// <summary>Parsing helpers for argument shapes the openstack client uses.</summary>
internal static class Arguments
{
    /// <summary>Parses repeated <c>--property key=value</c> options.</summary>
    public static Dictionary<string, string>? Properties(string[]? values)
    {
        if (values is null || values.Length == 0)
        {
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            var eq = v.IndexOf('=');
            if (eq <= 0)
            {
                throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                    $"argument --property: expected 'key=value', got '{v}'", v);
            }
            result[v[..eq]] = v[(eq + 1)..];
        }
        return result;
    }
}
