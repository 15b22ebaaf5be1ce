namespace CinderBackup.Engine.Tests;

/// <summary>
/// A test of the SQLite catalog as a file (its mode, its path refused as a volume, a copy written onto it): skipped when
/// the tests' catalogs run on PostgreSQL (<see cref="PostgresServer.SwitchVariable"/>), where the catalog is no file.
/// </summary>
public sealed class SqliteFileFactAttribute : FactAttribute
{
    public SqliteFileFactAttribute()
    {
        if (PostgresServer.Selected)
        {
            Skip = "the catalog is a file only on SQLite";
        }
    }
}
