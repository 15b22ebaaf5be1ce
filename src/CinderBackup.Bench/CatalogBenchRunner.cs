using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Config;
using Npgsql;

namespace CinderBackup.Bench;

/// <summary>
/// `cinder-backup bench --catalog` (issue 19, item 5): <see cref="CatalogBench"/> on a scratch SQLite catalog, and on
/// PostgreSQL when the configuration has a `database` connection. The configured catalog is never written: the bench
/// creates a scratch database of its own on that server (the role needs CREATEDB) and drops it afterwards.
/// </summary>
public static class CatalogBenchRunner
{
    /// <summary>The rows measured, and what was not measured and why.</summary>
    public sealed record Report(int Backups, IReadOnlyList<CatalogBench.Row> Rows, IReadOnlyList<string> Notes);

    /// <summary>
    /// Runs on both engines with <paramref name="backups"/> backups in the catalog. The SQLite file goes in
    /// <paramref name="directory"/> (empty or new, as the volume benchmark's --dir) or a new temporary directory, and
    /// only what the run made there is removed.
    /// </summary>
    public static Report Run(EngineConfig config, Func<string, string?> env, string? directory, int backups, Action<string> log)
    {
        var scratch = directory is null ? Directory.CreateTempSubdirectory("cinderbackup-catalog-bench-").FullName : Path.GetFullPath(directory);
        var made = directory is null || !Directory.Exists(scratch);
        if (!made && Directory.EnumerateFileSystemEntries(scratch).Any())
        {
            throw new Engine.Errors.CinderBackupException(Engine.Errors.ErrorIds.InvalidArgument, Engine.Errors.ErrorKind.InvalidArgument,
                $"--dir '{scratch}' is not empty. The benchmark removes what it writes there afterwards, so it needs an empty or new directory; it never deletes what it did not create.", scratch);
        }
        Directory.CreateDirectory(scratch);
        try
        {
            return Measure(config, env, scratch, backups, log);
        }
        finally
        {
            if (made)
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    private static Report Measure(EngineConfig config, Func<string, string?> env, string scratch, int backups, Action<string> log)
    {
        var (creates, shows) = backups >= CatalogBench.Backups ? (500, 2000) : (Math.Max(10, backups / 20), Math.Max(20, backups / 5));
        var rows = new List<CatalogBench.Row>();
        var notes = new List<string>();
        log($"Catalog: SQLite, {backups} backups ...");
        var file = Path.Combine(scratch, "bench-catalog.db");
        try
        {
            rows.AddRange(CatalogBench.Run("SQLite", () => CatalogDatabase.Open(file, config.CatalogBusyTimeoutSeconds), creates, shows, backups: backups));
        }
        finally
        {
            foreach (var f in Directory.EnumerateFiles(scratch, "bench-catalog.db*"))
            {
                File.Delete(f);
            }
        }
        if (config.Database is not { } connection)
        {
            notes.Add("PostgreSQL not measured: no `database` connection is configured (Cinder's [database] connection).");
            return new Report(backups, rows, notes);
        }
        var name = "cinderbackup_bench_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            Admin(connection, env, config.CatalogBusyTimeoutSeconds, $"CREATE DATABASE {name}");
        }
        catch (NpgsqlException e)
        {
            notes.Add($"PostgreSQL not measured: the bench could not create a scratch database on {connection.Display} ({e.Message}); " +
                      "it needs a role with CREATEDB, and never fills the configured catalog.");
            return new Report(backups, rows, notes);
        }
        try
        {
            log($"Catalog: PostgreSQL (scratch database {name} on {connection.Host}:{connection.Port}), {backups} backups ...");
            rows.AddRange(CatalogBench.Run("PostgreSQL",
                () => PostgresCatalog.Open(connection with { Database = name }, env, config.CatalogBusyTimeoutSeconds), creates, shows, backups: backups));
        }
        finally
        {
            Admin(connection, env, config.CatalogBusyTimeoutSeconds, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
        return new Report(backups, rows, notes);
    }

    /// <summary>A statement on the configured database's server, outside any transaction (CREATE/DROP DATABASE).</summary>
    private static void Admin(DatabaseConnection connection, Func<string, string?> env, int timeoutSeconds, string sql)
    {
        using var db = new NpgsqlConnection(PostgresCatalog.ConnectionString(connection, env, timeoutSeconds).ConnectionString);
        db.Open();
        using var cmd = new NpgsqlCommand(sql, db);
        cmd.ExecuteNonQuery();
    }
}
