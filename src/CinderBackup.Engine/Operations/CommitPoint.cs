using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.Restore;

namespace CinderBackup.Engine.Operations;

/// <summary>
/// What the repository says about a backup whose owner is gone: the truth is its commit point, the <c>_metadata</c>
/// document a backup writes last (after every object and the <c>_sha256file</c> are durable), not what a catalog row says.
/// A backup with a complete and consistent <c>_metadata</c> finished, whatever its row says (a catalog copy taken while
/// it ran, a process killed between the commit point and the catalog update); one without never did.
/// </summary>
internal sealed class CommitPoint
{
    public enum State
    {
        /// <summary>No <c>_metadata</c>: the backup never finished; reset it as Cinder does.</summary>
        Absent,

        /// <summary>Finished: adopt it as available.</summary>
        Complete,

        /// <summary>A <c>_metadata</c> is there but does not hold together: neither adopted nor deleted.</summary>
        Damaged,
    }

    public State Is { get; private init; }

    public string Container { get; private init; } = "";

    /// <summary>The object prefix (service_metadata); null when no object of the backup was found.</summary>
    public string? Prefix { get; private init; }

    public string? Problem { get; private init; }

    public int ObjectCount { get; private init; }

    public string? MetadataSha256 { get; private init; }

    public string? Sha256FileSha256 { get; private init; }

    /// <summary>
    /// Reads the backup's documents: the <c>_metadata</c> names this backup, its volume and parent, the objects under the
    /// prefix are exactly those it lists, each is there (an uncompressed one at its length), and the <c>_sha256file</c>
    /// parses and covers them; digests the catalog recorded must match. The row's container and prefix are used when
    /// it has them; a row saved before they were (a catalog copy taken at the start of the backup) is found by its id.
    /// Repository errors (unreachable, unconfigured) are thrown: then nothing can be decided, and nothing is changed.
    /// </summary>
    public static CommitPoint Find(EngineSession engine, BackupRow row)
    {
        var store = new RepositoryResolver(engine.Config).ForBackup(row);
        var container = row.Container ?? store.DefaultContainer(row.Id);
        var prefix = row.ServiceMetadata ?? store.FindPrefix(container, row.VolumeId, row.Id);
        if (prefix is null || !store.HasCommitPoint(container, prefix, row.Id))
        {
            // Absent only if the repository is really there: an unmounted share or a missing bucket decides nothing.
            var (reachable, problem) = store.Probe();
            if (!reachable)
            {
                throw new CinderBackupException(ErrorIds.RepositoryUnavailable, ErrorKind.IOError,
                    $"Repository '{store.Repository}' ({store.Location}) cannot be checked for backup {row.Id}: {problem}", row.Id);
            }
            return new CommitPoint { Is = State.Absent, Container = container, Prefix = prefix };
        }
        try
        {
            // Not ParentKnown: the documents' parent is compared below; a Ceph backup's documents name none, so the row's stands.
            var layer = store.LoadLayer(new ChainLink(row.Id, container, prefix, row.MetadataSha256, row.Sha256FileSha256) { CatalogParent = row.ParentId });
            var m = layer.Metadata;
            var mismatch = m.BackupId != row.Id ? $"it names backup {m.BackupId}"
                : m.VolumeId != row.VolumeId ? $"it names volume {m.VolumeId}, not {row.VolumeId}"
                : m.ParentId != row.ParentId ? $"it names parent {m.ParentId ?? "none"}, not {row.ParentId ?? "none"}"
                : null;
            if (mismatch is not null)
            {
                return Damaged(container, prefix, $"its _metadata '{layer.MetadataName}' does not describe this backup: {mismatch}");
            }
            if (store.CheckComplete(layer, engine.Config.TempDirectory) is string incomplete)
            {
                return Damaged(container, prefix, incomplete);
            }
            return new CommitPoint
            {
                Is = State.Complete,
                Container = container,
                Prefix = prefix,
                ObjectCount = m.Objects.Count,
                MetadataSha256 = row.MetadataSha256 ?? store.DocumentDigest(layer, metadata: true),
                Sha256FileSha256 = row.Sha256FileSha256 ?? store.DocumentDigest(layer, metadata: false),
            };
        }
        catch (CinderBackupException e) when (e.Kind is ErrorKind.InvalidData or ErrorKind.NotFound)
        {
            return Damaged(container, prefix, e.Message);
        }
    }

    private static CommitPoint Damaged(string container, string prefix, string problem) =>
        new() { Is = State.Damaged, Container = container, Prefix = prefix, Problem = problem };
}
