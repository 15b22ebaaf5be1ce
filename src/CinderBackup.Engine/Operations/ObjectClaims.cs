using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Repositories;

namespace CinderBackup.Engine.Operations;

/// <summary>
/// Which catalog row owns which repository objects. A backup owns the objects of its repository and container whose
/// names start with its prefix (<c>service_metadata</c>); delete removes exactly those. Two rows whose prefixes overlap
/// in one place would each delete the other's data, so an import that would make such a pair is refused, and a delete
/// that finds one (a catalog from before this check) leaves the objects alone.
/// </summary>
internal static class ObjectClaims
{
    /// <summary>
    /// True when <paramref name="prefix"/> names this backup's objects only: Cinder's chunked drivers end every prefix
    /// in <c>_backup_&lt;id&gt;</c> (posix <c>volume_&lt;vid&gt;_&lt;time&gt;_backup_&lt;id&gt;</c>, S3
    /// <c>volume_&lt;vid&gt;/&lt;time&gt;/az_&lt;zone&gt;_backup_&lt;id&gt;</c>), and so do we.
    /// </summary>
    public static bool IsBound(string? prefix, string id) =>
        !string.IsNullOrEmpty(prefix) && prefix.EndsWith("_backup_" + id, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Another backup in the catalog (any project, not deleted) that owns objects this one would own, or null. Rows
    /// without a container or prefix own nothing; an empty prefix owns the whole container.
    /// </summary>
    public static string? Claimant(Db db, RepositoryResolver resolver, string id, string? repository, string? container, string? prefix)
    {
        if (container is null || prefix is null)
        {
            return null;
        }
        var here = Storage(resolver, repository);
        if (here.StartsWith("ceph:", StringComparison.Ordinal))
        {
            // A Ceph backup owns what its id names (its snapshot, backup.<id>.meta, our hash list); the base image its
            // service_metadata names is shared by a whole chain, as in Cinder, and goes only with its last snapshot.
            return null;
        }
        foreach (var (otherId, otherRepository, otherPrefix) in BackupTable.InContainer(db, container))
        {
            if (otherId == id || otherPrefix is null
                || !(prefix.StartsWith(otherPrefix, StringComparison.Ordinal) || otherPrefix.StartsWith(prefix, StringComparison.Ordinal)))
            {
                continue;
            }
            if (Storage(resolver, otherRepository) == here)
            {
                return otherId;
            }
        }
        return null;
    }

    /// <summary>Where a repository keeps its objects: two names configured for one place are one place.</summary>
    private static string Storage(RepositoryResolver resolver, string? name)
    {
        name ??= resolver.DefaultRepositoryName;
        var d = resolver.Definitions.FirstOrDefault(r => r.Name == name);
        return d?.Driver switch
        {
            "posix" => "posix:" + Native.RealPath.Resolve(d.PosixPath),
            "nfs" => "nfs:" + d.Share,
            "s3" => "s3:" + (d.S3EndpointUrl ?? "aws"),
            "ceph" => "ceph:" + d.CephConf,
            "swift" => "swift:" + (d.SwiftAuth == "single_user" ? d.SwiftAuthUrl + "|" + d.SwiftUser : d.SwiftUrl + d.CallerProject),
            _ => "name:" + name,
        };
    }
}
