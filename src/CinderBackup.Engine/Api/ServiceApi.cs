using CinderBackup.Engine.Operations;

namespace CinderBackup.Engine.Api;

/// <summary>Backup services: which hosts run operations, and whether they are up.</summary>
public sealed class ServiceApi
{
    private readonly BackupEngine _engine;

    internal ServiceApi(BackupEngine engine) => _engine = engine;

    public IReadOnlyList<BackupService> List() =>
        _engine.Catalog.Read(db => ServiceRegistry.List(db, _engine.Config.ServiceDownTimeSeconds));
}
