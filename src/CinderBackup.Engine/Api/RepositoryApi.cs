using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Repositories;

namespace CinderBackup.Engine.Api;

/// <summary>
/// The configured repositories and whether each can be reached now. It needs only the configuration, not the catalog.
/// </summary>
public sealed class RepositoryApi
{
    private readonly EngineConfig _config;

    public RepositoryApi(EngineConfig config) => _config = config;

    /// <summary>Every configured repository, the default first; with <paramref name="check"/>, each is contacted (an NFS share is mounted).</summary>
    public IReadOnlyList<BackupRepository> List(bool check = true) =>
        _config.Repositories.Select(r => Describe(r, check)).ToList();

    /// <summary>One repository by name; an unknown name is a RepositoryNotFound error naming the configured ones.</summary>
    public BackupRepository Get(string name, bool check = true) =>
        Describe(new RepositoryResolver(_config).Definition(name), check);

    /// <summary>Names of the configured repositories (for completion).</summary>
    public IReadOnlyList<string> Names => _config.Repositories.Select(r => r.Name).ToList();

    private static BackupRepository Describe(RepositoryDefinition r, bool check)
    {
        bool? reachable = null;
        string? problem = null;
        var location = RepositoryResolver.LocationOf(r);
        string? credentials = null;
        var share = r.Driver == "nfs" ? r.Share : null;
        if (check)
        {
            try
            {
                var store = RepositoryResolver.Create(r);
                (reachable, problem) = store.Probe();
                credentials = store.CredentialSource;
            }
            catch (CinderBackupException e)
            {
                (reachable, problem) = (false, e.Message);
            }
        }
        else
        {
            credentials = RepositoryResolver.CredentialSourceOf(r);
        }
        return new BackupRepository
        {
            Name = r.Name,
            Driver = r.Driver,
            Service = r.ServiceName,
            Location = location,
            Share = share,
            DefaultContainer = r.Driver switch { "s3" => r.S3Bucket, "ceph" => r.CephPool, "swift" => r.SwiftContainer, _ => r.Container },
            IsDefault = r.IsDefault,
            Reachable = reachable,
            Problem = problem,
            ObjectSize = r.ObjectSize,
            ShaBlockSize = r.ShaBlockSize,
            CredentialSource = credentials,
        };
    }
}
