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

    /// <summary>
    /// Several ids are taken only to reset their state (as <c>cinder reset-state</c> does): a name, description,
    /// property or size given to several would be ambiguous, so it is refused before anything is changed.
    /// </summary>
    public static void RequireStateOnly(int count, string? state, params object?[] others)
    {
        if (state is null || others.Any(o => o is not null))
        {
            throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                $"{count} ids given: several ids are accepted only with --state and no other change.", null);
        }
    }
}
