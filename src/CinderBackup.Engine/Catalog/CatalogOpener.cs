using CinderBackup.Engine.Config;

namespace CinderBackup.Engine.Catalog;

/// <summary>Opens the configured catalog: PostgreSQL when <c>database: connection</c> is set, else the SQLite file.</summary>
internal static class CatalogOpener
{
    public static ICatalog Open(EngineConfig config, int? busyTimeoutSeconds = null)
    {
        var timeout = busyTimeoutSeconds ?? config.CatalogBusyTimeoutSeconds;
        return config.Database is { } database
            ? PostgresCatalog.Open(database, config.Environment, timeout)
            : CatalogDatabase.Open(config.CatalogPath, timeout);
    }
}
