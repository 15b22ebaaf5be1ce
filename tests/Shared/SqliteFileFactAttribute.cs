namespace CinderBackup.Tests.Shared;

/// <summary>
/// A test of the SQLite catalog as a file (its mode, its bytes corrupted, PRAGMA user_version, its locks, a copy written
/// onto it): skipped, visibly and with the reason, when the tests' catalogs run on PostgreSQL
/// (<see cref="PostgresServer.SwitchVariable"/>), where the catalog is no file. Its PostgreSQL counterparts, where there
/// are any, are in PostgresCatalogTests and PostgresCatalogCopyCliTests.
/// </summary>
public sealed class SqliteFileFactAttribute : Xunit.FactAttribute
{
    public SqliteFileFactAttribute(string why = "the catalog is a file only on SQLite")
    {
        if (PostgresServer.Selected)
        {
            Skip = "SQLite catalog only: " + why;
        }
    }
}
