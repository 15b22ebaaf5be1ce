namespace CinderBackup.Engine.ObjectStores;

/// <summary>An object being written. Disposing without <see cref="Commit"/> discards it.</summary>
internal interface IStagedObject : IDisposable
{
    /// <summary>The stream to write the stored (possibly compressed) bytes to.</summary>
    Stream Stream { get; }

    /// <summary>Replaces the content with <paramref name="length"/> zero bytes, sparsely where possible.</summary>
    void WriteZeros(long length);

    /// <summary>
    /// Makes the object visible under <paramref name="name"/>; it is durable once the store's
    /// <see cref="IObjectStore.WaitForWrites"/> has returned.
    /// </summary>
    void Commit(string name);
}
