using CinderBackup.Engine.Backup;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Restore;

namespace CinderBackup.Engine.Repositories;

/// <summary>
/// A repository driver: what the operations (create, restore, verify, delete, recovery, record import and discovery)
/// ask of a repository, in terms of backups rather than objects. <see cref="Chunked.ChunkedRepository"/> is Cinder's
/// chunked layout over an <see cref="IObjectStore"/> (posix, NFS, S3); a repository that is not a bag of objects
/// (Ceph: RBD images and snapshots) implements this interface directly. Operations never see the object store.
/// </summary>
internal interface IBackupRepository
{
    /// <summary>The configured repository's name (<c>default</c> for the flat configuration).</summary>
    string Repository { get; }

    /// <summary>posix, nfs, s3 or ceph (the backup row's <c>driver</c>).</summary>
    string Driver { get; }

    /// <summary>Cinder's driver class path, recorded as the backup's <c>service</c>.</summary>
    string ServiceName { get; }

    /// <summary>Whether a running backup or restore stops when asked (Cinder's Ceph driver: never; force delete is refused).</summary>
    bool Cancellable { get; }

    /// <summary>Where the repository is, for messages (a directory, or an endpoint and bucket).</summary>
    string Location { get; }

    /// <summary>Where the credentials come from, for <c>repository show</c>; null when the kind has none.</summary>
    string? CredentialSource { get; }

    /// <summary>The container a backup goes to when the user gives none.</summary>
    string DefaultContainer(string backupId);

    /// <summary>Throws when a user-given container is not acceptable (e.g. escapes the repository root).</summary>
    void ValidateContainer(string container);

    /// <summary>Whether a record's object prefix would reach outside its container.</summary>
    bool PrefixEscapes(string prefix);

    /// <summary>Checks that a backup can be written to <paramref name="container"/> (null: the default); throws naming the repository otherwise.</summary>
    void CheckWritable(string? container);

    /// <summary>Whether the repository can be reached now, and if not why; never throws and changes nothing.</summary>
    (bool Reachable, string? Problem) Probe();

    /// <summary>Where the identity marker covering <paramref name="container"/> lives, for messages and the backup row.</summary>
    string MarkerLocation(string container);

    /// <summary>The repository id its marker names for <paramref name="container"/>, or null when there is none.</summary>
    string? ReadIdentity(string container);

    /// <summary>
    /// Null when the place that holds <paramref name="container"/>'s marker exists; otherwise how to say it does not
    /// ("which does not exist", "where bucket 'x' does not exist"). Throws <see cref="Errors.CinderBackupException"/> when it cannot tell.
    /// </summary>
    string? WhereMissing(string container);

    /// <summary>
    /// Makes the place for a new backup before any data is written: the container (created when allowed), the object
    /// prefix (service_metadata) and the repository's identity marker (written by the first backup).
    /// </summary>
    BackupPlacement Place(string backupId, string volumeId, string? container, DateTime utc, string availabilityZone);

    /// <summary>The SHA block size of a backup's hash list (a parent of a new incremental), its digest checked.</summary>
    long ReadHashBlockSize(BackupRow backup);

    /// <summary>Reads a backup's block hashes (a parent of a new incremental) into <paramref name="into"/>; returns the block size.</summary>
    long ReadHashes(BackupRow backup, HashFile into);

    /// <summary>Writes one backup from <paramref name="request"/>'s source (with its parent's hashes for an incremental); the commit point is its last step.</summary>
    BackupWriteResult Write(BackupWriteRequest request);

    /// <summary>Removes everything a backup wrote or staged (a failed or cancelled create).</summary>
    void RemoveBackup(string container, string prefix, string backupId);

    /// <summary>Removes what a crashed operation on <paramref name="backupId"/> left staged (not yet published).</summary>
    void RemoveStaged(string container, string backupId);

    /// <summary>
    /// Deletes a backup's data, calling <paramref name="progress"/> after each piece (the caller heartbeats); fault
    /// point <c>delete.object</c> after each.
    /// </summary>
    void DeleteBackup(string container, string prefix, string backupId, Action progress);

    /// <summary>The prefix of a backup whose row was saved before its prefix was (found from the data's names); null when nothing is there.</summary>
    string? FindPrefix(string container, string volumeId, string backupId);

    /// <summary>
    /// Whether backup <paramref name="backupId"/>'s commit point is there (chunked: its <c>_metadata</c>; Ceph: its image and
    /// <c>backup.&lt;id&gt;.meta</c>); a missing container throws (<see cref="Errors.ErrorIds.ContainerNotFound"/>).
    /// </summary>
    bool HasCommitPoint(string container, string prefix, string backupId);

    /// <summary>Loads one backup of a chain (its documents checked against the digests given); see <see cref="ChainLoader.Load"/>.</summary>
    ChainLayer LoadLayer(ChainLink link);

    /// <summary>
    /// Null when every piece of data a loaded backup names is there (at its length where that is known) and its hash
    /// list covers them; otherwise what is wrong. For recovery's commit point.
    /// </summary>
    string? CheckComplete(ChainLayer layer, string tempDirectory);

    /// <summary>The SHA-256 of a loaded backup's <c>_metadata</c> (or, with <paramref name="metadata"/> false, of its <c>_sha256file</c>).</summary>
    string DocumentDigest(ChainLayer layer, bool metadata);

    /// <summary>Restores a chain whose newest layer is this repository's into the request's target.</summary>
    RestoreResult Restore(RestoreRequest request);

    /// <summary>Checks a chain without restoring (quick or deep).</summary>
    ChainVerifier.Outcome Verify(IReadOnlyList<ChainLayer> chain, bool deep, string tempDirectory, int workers,
        IProgress<Pipeline.TransferProgress>? progress, CancellationToken cancel, int objectsInFlight);

    /// <summary>An imported backup's data must be there: its documents describing it. Returns how many data objects it has.</summary>
    int CheckImported(BackupRow row);

    /// <summary>Every backup found in the repository (or one container and those under it), streamed, with the row a complete one rebuilds.</summary>
    IEnumerable<DiscoveredRow> Discover(string? container);
}
