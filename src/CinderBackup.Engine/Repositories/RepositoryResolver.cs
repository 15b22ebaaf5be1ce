using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Repositories;

/// <summary>
/// Opens the object stores of the configured repositories by name, the default one, or the one a backup lives in.
/// Stores are opened once per resolver (an NFS share is mounted, an S3 client made, at the first use).
/// </summary>
internal sealed class RepositoryResolver
{
    public const string DefaultName = EngineConfig.FlatRepositoryName;
    private readonly EngineConfig _config;
    private readonly Dictionary<string, IObjectStore> _open = new(StringComparer.Ordinal);

    public RepositoryResolver(EngineConfig config) => _config = config;

    /// <summary>The configured repositories, the default first.</summary>
    public IReadOnlyList<RepositoryDefinition> Definitions => _config.Repositories;

    /// <summary>The default repository's name (<c>default</c> for the flat configuration).</summary>
    public string DefaultRepositoryName => _config.DefaultRepository.Name;

    public IObjectStore Default() => Open(DefaultRepositoryName);

    public RepositoryDefinition Definition(string name) =>
        _config.Repositories.FirstOrDefault(r => r.Name == name) ?? throw NotConfigured(name);

    public IObjectStore Open(string name)
    {
        lock (_open)
        {
            if (_open.TryGetValue(name, out var store))
            {
                return store;
            }
            store = Create(Definition(name));
            _open[name] = store;
            return store;
        }
    }

    /// <summary>Builds the store of a repository (mounting an NFS share when needed).</summary>
    public static IObjectStore Create(RepositoryDefinition r) => r.Driver switch
    {
        "posix" => new PosixObjectStore(r.PosixPath, r.CreateContainers, r.Name, r.Container),
        "nfs" => new NfsObjectStore(NfsMounter.EnsureMounted(r), r.Share!, r.CreateContainers, r.Name, r.Container),
        "s3" => new S3ObjectStore(S3Settings.From(r)),
        var other => throw new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.NotSupported,
            $"Repository '{r.Name}': backup_driver '{other}' is not supported.", r.Name),
    };

    /// <summary>The repository a backup was written to (its own, whatever the current default); legacy rows: the default.</summary>
    public string RepositoryOf(BackupRow row) => row.Repository ?? DefaultRepositoryName;

    /// <summary>
    /// The store a backup was written to. Its repository must still be configured with the driver that wrote it
    /// (Cinder: "the backup service currently configured is not the backup service that was used").
    /// </summary>
    public IObjectStore ForBackup(BackupRow row)
    {
        var name = RepositoryOf(row);
        if (!_config.Repositories.Any(r => r.Name == name))
        {
            throw new CinderBackupException(ErrorIds.RepositoryNotFound, ErrorKind.NotFound,
                $"Backup {row.Id} is in repository '{name}', which is not configured{Configured()}.", name);
        }
        var definition = Definition(name);
        if (row.Service is { Length: > 0 } service && service != definition.ServiceName)
        {
            throw new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.InvalidState,
                $"The backup service currently configured for repository '{name}' [{definition.ServiceName}] is not the backup service that was used to create backup {row.Id} [{service}].", row.Id);
        }
        return Open(name);
    }

    private CinderBackupException NotConfigured(string name) =>
        new(ErrorIds.RepositoryNotFound, ErrorKind.NotFound, $"Repository '{Api.ContextResolver.Printable(name)}' is not configured{Configured()}.", name);

    private string Configured() =>
        $" (configured: {string.Join(", ", _config.Repositories.Select(r => r.Name))}{(_config.SourceFile is null ? "" : $"; in '{_config.SourceFile}'")})";
}
