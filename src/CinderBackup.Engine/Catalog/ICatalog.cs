namespace CinderBackup.Engine.Catalog;

/// <summary>
/// The catalog as the rest of the engine reaches it, whichever database engine holds it: transactions, inside which the
/// table classes (<see cref="BackupTable"/>, <see cref="VolumeTable"/>, <see cref="OperationClaims"/>, ...) run their
/// named operations on the transaction's <see cref="Db"/>. SQLite (<see cref="CatalogDatabase"/>) is one implementation;
/// a second engine implements this, a <see cref="ISqlDialect"/> for its few dialect-specific statements, and its own
/// catalog copy (backup/restore).
/// </summary>
internal interface ICatalog : IDisposable
{
    /// <summary>Where the catalog is, as shown in messages (a file path for SQLite).</summary>
    string Path { get; }

    /// <summary>True when the catalog can be read but not written; <see cref="Write{T}"/> then refuses.</summary>
    bool ReadOnly { get; }

    /// <summary>
    /// The database role the catalog is reached as and what its server grants it (PostgreSQL); null where the catalog
    /// has no roles (SQLite: the boundary is file permissions).
    /// </summary>
    CatalogRole? Role { get; }

    /// <summary>How many schema migrations the catalog has had.</summary>
    int SchemaVersion { get; }

    /// <summary>Runs <paramref name="body"/> in a read transaction (one consistent snapshot).</summary>
    T Read<T>(Func<Db, T> body);

    /// <summary>
    /// Runs <paramref name="body"/> in a write transaction that commits when it returns; concurrent writers (any
    /// process, any host) queue rather than interleave.
    /// </summary>
    T Write<T>(Func<Db, T> body);

    /// <inheritdoc cref="Write{T}"/>
    void Write(Action<Db> body);

    /// <summary>An online-consistent copy of the whole catalog into <paramref name="destinationPath"/>.</summary>
    void BackupTo(string destinationPath);

    /// <summary>
    /// Replaces the whole catalog with the copy at <paramref name="sourcePath"/> in one transaction, carrying the
    /// operations running now forward; <paramref name="beforeCommit"/> runs last inside it. Returns the ids carried.
    /// </summary>
    IReadOnlyList<string> RestoreFrom(string sourcePath, Action? beforeCommit = null);
}
