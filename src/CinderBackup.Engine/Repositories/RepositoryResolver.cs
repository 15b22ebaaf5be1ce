using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Repositories;

/// <summary>Opens the object store of the configured repository, or of the repository a backup lives in.</summary>
internal sealed class RepositoryResolver
{
    public const string DefaultName = "default";
    private readonly EngineConfig _config;

    public RepositoryResolver(EngineConfig config) => _config = config;

    public IObjectStore Default() => Open(DefaultName);

    public IObjectStore Open(string name)
    {
        if (name != DefaultName)
        {
            throw new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.NotFound,
                $"Repository '{name}' is not configured.", name);
        }
        return _config.BackupDriver switch
        {
            "posix" => new PosixObjectStore(_config.BackupPosixPath, _config.BackupCreateContainers),
            var other => throw new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.NotSupported,
                $"backup_driver '{other}' is not available yet.", other),
        };
    }

    /// <summary>The store a backup was written to (its own repository, whatever the current default).</summary>
    public IObjectStore ForBackup(BackupRow row) => Open(row.Repository ?? DefaultName);
}
