namespace CinderBackup.Engine.ObjectStores;

/// <summary>
/// A backup repository: containers of named objects (posix/NFS directories, S3 buckets). Objects are
/// written to a staging file first and published under their final name only when complete, so a crash
/// never leaves a partial object under a backup's prefix.
/// </summary>
internal interface IObjectStore
{
    /// <summary>posix, nfs or s3.</summary>
    string Driver { get; }

    /// <summary>Cinder's driver class path, recorded as the backup's <c>service</c>.</summary>
    string ServiceName { get; }

    /// <summary>Where the repository is, for messages (a directory, or an endpoint and bucket).</summary>
    string Location { get; }

    /// <summary>The configured repository's name (<c>default</c> for the flat configuration).</summary>
    string Repository { get; }

    /// <summary>The container a backup goes to when the user gives none (backup_container, the bucket, or Cinder's scheme).</summary>
    string DefaultContainer(string backupId);

    /// <summary>The object-name prefix (the backup's <c>service_metadata</c>).</summary>
    string Prefix(string volumeId, string backupId, DateTime utc, string availabilityZone);

    /// <summary>Throws when a user-given container is not acceptable (e.g. escapes the repository root).</summary>
    void ValidateContainer(string container);

    /// <summary>Creates the container when it is missing (or fails when creation is disabled).</summary>
    void PutContainer(string container);

    bool ContainerExists(string container);

    /// <summary>Names in the container that start with <paramref name="prefix"/>.</summary>
    IReadOnlyList<string> List(string container, string prefix);

    /// <summary>
    /// Every object of the repository, or of one container and the containers under it: container by container,
    /// each container's names in ordinal order, staging objects left out. Discovery streams it, so a large
    /// repository is never held in memory. A repository whose root or bucket does not exist is an error.
    /// </summary>
    IEnumerable<(string Container, string Name)> Scan(string? container);

    /// <summary>A new staging object for <paramref name="container"/>; <paramref name="tag"/> names it for cleanup.</summary>
    IStagedObject Stage(string container, string tag);

    /// <summary>
    /// Publishes <paramref name="name"/> as a second name of the committed object <paramref name="existing"/> of
    /// the same container (a hard link: no data is written, no file made). False, with nothing changed, where the
    /// store cannot; the caller then stores the object itself. Made durable by <see cref="WaitForWrites"/>.
    /// </summary>
    bool TryLink(string container, string existing, string name);

    Stream OpenRead(string container, string name);

    /// <summary>The stored size of an object, or null when it does not exist.</summary>
    long? Size(string container, string name);

    /// <summary>Deletes an object; a missing one is not an error.</summary>
    void Delete(string container, string name);

    /// <summary>Removes staging objects left by a crashed operation tagged <paramref name="tag"/>.</summary>
    void RemoveStaged(string container, string tag);

    /// <summary>
    /// Waits until every object committed so far is stored durably, and throws the first failure. Posix fsyncs
    /// the files committed since the last call, all together, and their directories; S3 uploads committed
    /// objects in the background and waits for them here.
    /// </summary>
    void WaitForWrites();

    /// <summary>
    /// Checks, before a backup is recorded, that it can be written to <paramref name="container"/> (null: the default
    /// container): the server answers, the credentials work, the bucket exists or may be created. Throws a clear error
    /// naming the repository otherwise.
    /// </summary>
    void CheckWritable(string? container);

    /// <summary>
    /// Where the repository marker (<see cref="RepositoryMarker"/>) that covers <paramref name="container"/> lives, for
    /// messages: the root directory of a posix or NFS repository, the endpoint and bucket of an S3 one.
    /// </summary>
    string MarkerLocation(string container);

    /// <summary>The repository marker's text for <paramref name="container"/>, or null when there is none (or no root or bucket).</summary>
    string? ReadMarker(string container);

    /// <summary>Writes the repository marker unless one is there already, never replacing one: true when this call wrote it.</summary>
    bool CreateMarker(string container, string text);

    /// <summary>Whether the repository can be reached now, and if not why; never throws and changes nothing.</summary>
    (bool Reachable, string? Problem) Probe();
}
