namespace CinderBackup.Engine.Config;

/// <summary>
/// Cinder's <c>[database] connection</c> as CinderBackup reads it: <c>postgresql://user[:password]@host[:port]/dbname</c>
/// (also <c>postgresql+psycopg2://</c> and <c>postgres://</c>, as SQLAlchemy writes them; <c>?sslmode=</c> and
/// <c>?host=</c> for a socket directory may follow). Unset means the SQLite catalog in the data directory. A password in
/// the URL is allowed only in a 0600 file; otherwise it comes from <c>PGPASSWORD</c> or the password file.
/// </summary>
internal sealed record DatabaseConnection(string? User, string Host, int Port, string Database, string? Password, string? SslMode)
{
    /// <summary>The URL without its password, as messages show it.</summary>
    public string Display => $"postgresql://{(User is null ? "" : User + "@")}{(Host.StartsWith('/') ? "" : Host)}:{Port}/{Database}" +
        (Host.StartsWith('/') ? $"?host={Host}" : "");

    private static readonly string[] Schemes = { "postgresql://", "postgresql+psycopg2://", "postgres://" };

    /// <summary>Parses <paramref name="url"/>; null and a reason when it is not a PostgreSQL URL this reads.</summary>
    public static DatabaseConnection? TryParse(string url, out string? problem)
    {
        problem = null;
        var scheme = Schemes.FirstOrDefault(s => url.StartsWith(s, StringComparison.OrdinalIgnoreCase));
        if (scheme is null)
        {
            problem = url.StartsWith("sqlite", StringComparison.OrdinalIgnoreCase)
                ? "SQLite is the default catalog: leave 'connection' unset for it; set it only for PostgreSQL (postgresql://user@host:port/dbname)"
                : "must be a PostgreSQL URL, postgresql://user@host:port/dbname";
            return null;
        }
        var rest = url[scheme.Length..];
        // The user info comes off first (up to the last '@'), so that a password holding '/', '?' or ':' is never cut
        // into the pieces the messages below quote.
        string? userInfo = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            userInfo = rest[..at];
            rest = rest[(at + 1)..];
        }
        string? query = null;
        var q = rest.IndexOf('?');
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }
        var slash = rest.IndexOf('/');
        if (slash < 0 || slash == rest.Length - 1)
        {
            problem = "names no database: postgresql://user@host:port/dbname";
            return null;
        }
        var authority = rest[..slash];
        var database = Uri.UnescapeDataString(rest[(slash + 1)..]);
        if (database.Contains('/'))
        {
            problem = $"has a database name with '/' in it ('{database}')";
            return null;
        }
        string? user = null;
        string? password = null;
        if (userInfo is not null)
        {
            var colon = userInfo.IndexOf(':');
            user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        }
        var host = authority;
        var port = 5432;
        var portColon = authority.LastIndexOf(':');
        if (portColon >= 0 && !authority.EndsWith(']'))
        {
            host = authority[..portColon];
            if (!int.TryParse(authority[(portColon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)
                || port is < 1 or > 65535)
            {
                problem = $"has port '{authority[(portColon + 1)..]}', not a number from 1 to 65535";
                return null;
            }
        }
        host = host.Trim('[', ']');
        string? sslMode = null;
        foreach (var pair in (query ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            switch (key)
            {
                case "sslmode" when value is "disable" or "allow" or "prefer" or "require" or "verify-ca" or "verify-full":
                    sslMode = value;
                    break;
                case "host" when value.StartsWith('/'):
                    host = value;
                    break;
                default:
                    problem = $"has an unsupported parameter '{key}' (supported: sslmode=disable|allow|prefer|require|verify-ca|verify-full, host=/socket/directory)";
                    return null;
            }
        }
        if (host.Length == 0)
        {
            problem = "names no host: postgresql://user@host:port/dbname";
            return null;
        }
        return new DatabaseConnection(string.IsNullOrEmpty(user) ? null : user, host, port, database, password, sslMode);
    }
}
