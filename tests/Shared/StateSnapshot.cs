using System.Text;
using Microsoft.Data.Sqlite;

namespace CinderBackup.Tests.Shared;

/// <summary>
/// Everything a refused call must leave as it was, as one comparable text: every row of every catalog table (read
/// straight from the SQLite file, not through the engine under test) and every file and directory under the given
/// roots with its size and mode. Two snapshots are equal exactly when nothing changed; xunit's string diff then
/// points at what did.
/// </summary>
public static class StateSnapshot
{
    /// <param name="catalogPath">The catalog file; a missing one is recorded as missing.</param>
    /// <param name="roots">Directories to list (data directory, repositories, volume pools).</param>
    /// <param name="ignoreTables">Tables left out, e.g. <c>services</c>, whose heartbeat every process that opens the catalog updates.</param>
    public static string Take(string catalogPath, IEnumerable<string> roots, params string[] ignoreTables)
    {
        var sb = new StringBuilder();
        DumpCatalog(sb, catalogPath, ignoreTables);
        foreach (var root in roots)
        {
            ListFiles(sb, root, Path.GetFileName(catalogPath));
        }
        return sb.ToString();
    }

    private static void DumpCatalog(StringBuilder sb, string catalogPath, string[] ignoreTables)
    {
        if (!File.Exists(catalogPath))
        {
            sb.Append("catalog: missing\n");
            return;
        }
        SQLitePCL.Batteries_V2.Init();
        var builder = new SqliteConnectionStringBuilder { DataSource = catalogPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        var tables = new List<string>();
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                tables.Add(r.GetString(0));
            }
        }
        foreach (var table in tables.Where(t => !ignoreTables.Contains(t)))
        {
            var rows = new List<string>();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT * FROM \"{table}\"";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                rows.Add(string.Join(", ", Enumerable.Range(0, r.FieldCount)
                    .Select(i => $"{r.GetName(i)}={(r.IsDBNull(i) ? "NULL" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))}")));
            }
            // Rows in a stable order whatever the table's physical order.
            rows.Sort(StringComparer.Ordinal);
            sb.Append("table ").Append(table).Append(": ").Append(rows.Count).Append(" rows\n");
            foreach (var row in rows)
            {
                sb.Append("  ").Append(row).Append('\n');
            }
        }
    }

    private static void ListFiles(StringBuilder sb, string root, string catalogName)
    {
        sb.Append("files under ").Append(root).Append(":\n");
        if (!Directory.Exists(root))
        {
            sb.Append("  (missing)\n");
            return;
        }
        var entries = new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
            // The catalog's own files change with every read-only open (WAL index); their rows are compared above.
            .Where(e => !e.Name.StartsWith(catalogName, StringComparison.Ordinal))
            .Select(e => (Path: Path.GetRelativePath(root, e.FullName), Info: e))
            .OrderBy(e => e.Path, StringComparer.Ordinal);
        foreach (var (path, info) in entries)
        {
            var mode = Convert.ToString((int)info.UnixFileMode, 8);
            sb.Append("  ").Append(path)
                .Append(info is FileInfo f ? $" {f.Length} bytes" : "/")
                .Append(" mode ").Append(mode).Append('\n');
        }
    }
}
