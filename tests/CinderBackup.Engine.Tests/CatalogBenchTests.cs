using CinderBackup.Bench;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Config;
using Xunit.Abstractions;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// Issue 19, item 5: catalog operations per second with 10,000 backups in the catalog, on SQLite and on PostgreSQL (the
/// throwaway PostgreSQL 15 of the tests), and the target: listing them all takes under a second on both.
/// </summary>
[Trait("Catalog", "PostgreSQL")]
public sealed class CatalogBenchTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly TempHome _home = new();

    public CatalogBenchTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _home.Dispose();

    [Fact]
    public void SqliteListsTenThousandBackupsUnderASecond() =>
        Check(CatalogBench.Run("SQLite", () => CatalogDatabase.Open(Path.Combine(_home.Root, "bench.db"), 30)));

    [Fact]
    public void PostgresListsTenThousandBackupsUnderASecond()
    {
        var server = PostgresServer.Shared;
        var database = server.CreateDatabase();
        try
        {
            var connection = new DatabaseConnection(PostgresServer.Superuser, "127.0.0.1", server.Port, database, null, null);
            Check(CatalogBench.Run("PostgreSQL", () => PostgresCatalog.Open(connection, name => name == "PGPASSWORD" ? server.Password : null, 30)));
        }
        finally
        {
            server.DropDatabase(database);
        }
    }

    private void Check(IReadOnlyList<CatalogBench.Row> rows)
    {
        foreach (var row in rows)
        {
            _output.WriteLine(row.ToString());
            Console.WriteLine(row.ToString());
        }
        var list = rows.Single(r => r.Operation.StartsWith("list", StringComparison.Ordinal));
        Assert.True(list.Seconds < 1.0, $"listing {CatalogBench.Backups}+ backups took {list.Seconds:F3} s");
    }
}
