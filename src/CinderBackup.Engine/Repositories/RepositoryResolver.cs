using CinderBackup.Engine.ObjectStores;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Repositories.Ceph;
using CinderBackup.Engine.Repositories.Chunked;
using CinderBackup.Engine.ObjectStores.Nfs;
using CinderBackup.Engine.ObjectStores.Posix;
using CinderBackup.Engine.ObjectStores.S3;
using CinderBackup.Engine.ObjectStores.Swift;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Repositories;

/// <summary>
/// Hands out the repository drivers (<see cref="IBackupRepository"/>) of the configured repositories by name, the default
/// one, or the one a backup lives in. Drivers are opened once per resolver (an NFS share is mounted, an S3 client made,
/// at the first use).
/// </summary>
internal sealed class RepositoryResolver
{
    public const string DefaultName = EngineConfig.FlatRepositoryName;
    private readonly EngineConfig _config;
    private readonly Dictionary<string, IBackupRepository> _open = new(StringComparer.Ordinal);

    public RepositoryResolver(EngineConfig config) => _config = config;

    /// <summary>The configured repositories, the default first.</summary>
    public IReadOnlyList<RepositoryDefinition> Definitions => _config.Repositories;

    /// <summary>The default repository's name (<c>default</c> for the flat configuration).</summary>
    public string DefaultRepositoryName => _config.DefaultRepository.Name;

    public IBackupRepository Default() => Open(DefaultRepositoryName);

    public RepositoryDefinition Definition(string name) =>
        _config.Repositories.FirstOrDefault(r => r.Name == name) ?? throw NotConfigured(name);

    public IBackupRepository Open(string name)
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

    /// <summary>Builds the driver of a repository (mounting an NFS share when needed). A new kind is one case here.</summary>
    public static IBackupRepository Create(RepositoryDefinition r) =>
        r.Driver == "ceph" ? new CephRepository(r) : new ChunkedRepository(CreateStore(r));

    private static IObjectStore CreateStore(RepositoryDefinition r) => r.Driver switch
    {
        "posix" when SubstituteStores.For(r.PosixPath) is { } substitute => substitute,
        "posix" => new PosixObjectStore(r.PosixPath, r.CreateContainers, r.Name, r.Container),
        "nfs" => new NfsObjectStore(NfsMounter.EnsureMounted(r), r.Share!, r.CreateContainers, r.Name, r.Container),
        "s3" => new S3ObjectStore(S3Settings.From(r)),
        "swift" => new SwiftObjectStore(SwiftSettings.From(r)),
        var other => throw new CinderBackupException(ErrorIds.RepositoryError, ErrorKind.NotSupported,
            $"Repository '{r.Name}': backup_driver '{other}' is not supported.", r.Name),
    };

    /// <summary>Where a repository is, from its definition alone (nothing mounted or contacted): a directory, a mount point or an endpoint.</summary>
    public static string LocationOf(RepositoryDefinition r) => r.Driver switch
    {
        "s3" => r.S3EndpointUrl ?? $"https://s3.{r.S3Region}.amazonaws.com",
        "ceph" => $"ceph:{r.CephConf} (client.{r.CephUser})",
        "swift" => r.SwiftAuth == "single_user" ? r.SwiftAuthUrl ?? "" : r.SwiftUrl + r.CallerProject,
        "nfs" => r.Share is null ? r.MountPointBase : NfsMounter.MountPoint(r.MountPointBase, r.Share),
        _ => r.PosixPath,
    };

    /// <summary>Where a repository's credentials come from, from its definition alone; null when it has none or they cannot be told.</summary>
    public static string? CredentialSourceOf(RepositoryDefinition r)
    {
        try
        {
            return r.Driver switch
            {
                "s3" => S3Settings.From(r).CredentialSource,
                "swift" => SwiftSettings.From(r) is { SingleUser: true } ? "configuration file" : SwiftSettings.From(r).TokenSource,
                _ => null,
            };
        }
        catch (CinderBackupException)
        {
            return null;
        }
    }

    /// <summary>The repository a backup was written to (its own, whatever the current default); legacy rows: the default.</summary>
    public string RepositoryOf(BackupRow row) => row.Repository ?? DefaultRepositoryName;

    /// <summary>
    /// The driver of the repository a backup was written to. Its repository must still be configured with the driver that wrote it
    /// (Cinder: "the backup service currently configured is not the backup service that was used").
    /// </summary>
    public IBackupRepository ForBackup(BackupRow row)
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

    private readonly Dictionary<(string Repository, string Location), string?> _identities = new();

    /// <summary>The id of the repository <paramref name="store"/> reaches for <paramref name="container"/> (its marker), read once per resolver.</summary>
    public string? Identity(IBackupRepository store, string container)
    {
        var key = (store.Repository, store.MarkerLocation(container));
        lock (_identities)
        {
            if (!_identities.TryGetValue(key, out var id))
            {
                id = store.ReadIdentity(container);
                _identities[key] = id;
            }
            return id;
        }
    }

    /// <summary>
    /// The driver of the repository that holds a backup's data, for reading it (restore, verify). Where the catalog says (its repository,
    /// as configured now) when its _metadata is there. If not, the repository marker tells a repository that moved from
    /// a backup that is gone: a backup recorded in another repository than the one its repository name now reaches is
    /// looked for in every configured repository (the share or bucket may be mounted elsewhere, under another name) and
    /// otherwise refused with where it was and where the name points now. With <paramref name="requirePresent"/>, a
    /// backup found nowhere is refused too, before anything changes. Backups from before the markers are looked for
    /// where the catalog says, as before.
    /// </summary>
    public IBackupRepository Locate(BackupRow row, bool requirePresent = false)
    {
        var name = RepositoryOf(row);
        if (row.RepositoryId is not null && !_config.Repositories.Any(r => r.Name == name))
        {
            return FindById(row, exceptName: null) ?? ForBackup(row); // ForBackup: "not configured", naming it
        }
        var store = ForBackup(row);
        if (row.Container is null || row.ServiceMetadata is null)
        {
            return store;
        }
        var metadata = row.ServiceMetadata + "_metadata";
        if (HasMetadata(store, row))
        {
            return store;
        }
        var here = row.RepositoryId is null ? null : Identity(store, row.Container);
        if (row.RepositoryId is not null && !string.Equals(here, row.RepositoryId, StringComparison.OrdinalIgnoreCase))
        {
            return FindById(row, exceptName: name) ?? throw Moved(row, name, store, here);
        }
        if (requirePresent)
        {
            throw new CinderBackupException(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData,
                $"Backup {row.Id}: its metadata object '{metadata}' is not in container '{row.Container}' of repository '{name}' ({store.MarkerLocation(row.Container)}); the backup is incomplete or was deleted"
                + (row.RepositoryId is null ? $", or repository '{name}' no longer points where the backup was written." : "."),
                metadata);
        }
        return store;
    }

    /// <summary>A configured repository (other than <paramref name="exceptName"/>) whose marker has the backup's id and which holds its _metadata.</summary>
    private IBackupRepository? FindById(BackupRow row, string? exceptName)
    {
        if (row.Container is null || row.ServiceMetadata is null)
        {
            return null;
        }
        foreach (var definition in _config.Repositories.Where(r => r.Name != exceptName && SameLayout(r.ServiceName, row.Service)))
        {
            try
            {
                var candidate = Open(definition.Name);
                if (string.Equals(Identity(candidate, row.Container), row.RepositoryId, StringComparison.OrdinalIgnoreCase) && HasMetadata(candidate, row))
                {
                    return candidate;
                }
            }
            catch (CinderBackupException)
            {
                // That repository does not answer now (a share that will not mount, an S3 endpoint down): not there.
            }
        }
        return null;
    }

    private static bool HasMetadata(IBackupRepository store, BackupRow row)
    {
        try
        {
            return store.HasCommitPoint(row.Container!, row.ServiceMetadata!, row.Id);
        }
        catch (CinderBackupException e) when (e.ErrorId == ErrorIds.ContainerNotFound)
        {
            return false; // a bucket that is not there
        }
    }

    /// <summary>Posix and NFS repositories share Cinder's layout: a share may be configured either way on another host.</summary>
    private static bool SameLayout(string configured, string? recorded) =>
        recorded is null || configured == recorded
        || (configured is RepositoryDefinition.PosixService or RepositoryDefinition.NfsService && recorded is RepositoryDefinition.PosixService or RepositoryDefinition.NfsService);

    private static CinderBackupException Moved(BackupRow row, string name, IBackupRepository store, string? here)
    {
        var now = store.MarkerLocation(row.Container!);
        string? missing;
        try
        {
            missing = store.WhereMissing(row.Container!);
        }
        catch (CinderBackupException)
        {
            missing = null;
        }
        var what = here is not null ? $"which holds another repository (id {here})"
            : missing ?? "which holds no CinderBackup repository marker";
        return new CinderBackupException(ErrorIds.RepositoryMoved, ErrorKind.NotFound,
            $"Backup {row.Id} was written to repository '{name}' at {row.RepositoryLocation ?? "a location not recorded"} (repository id {row.RepositoryId}), "
            + $"but repository '{name}' now points to {now}, {what}, and no configured repository has that id. Make '{name}' point where the repository is "
            + "(mount the share or set its path, share or S3 endpoint back), or configure a repository for where it is now; nothing was changed.",
            name);
    }

    private CinderBackupException NotConfigured(string name) =>
        new(ErrorIds.RepositoryNotFound, ErrorKind.NotFound, $"Repository '{PrintableText.Brief(name)}' is not configured{Configured()}.", name);

    private string Configured() =>
        $" (configured: {string.Join(", ", _config.Repositories.Select(r => r.Name))}{(_config.SourceFile is null ? "" : $"; in '{_config.SourceFile}'")})";
}
