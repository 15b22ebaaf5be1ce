using System.Collections.Concurrent;

namespace CinderBackup.Engine.ObjectStores;

/// <summary>
/// The test seam of <see cref="RepositoryResolver"/>: a store put in place of a posix repository's directory, so that an
/// engine test runs the whole engine over a repository held in memory (tests/…/MemoryObjectStore). Keyed by the
/// directory's full path, which each test makes unique, so tests running side by side never see each other's stores.
/// Nothing in the product registers one: there the resolver always opens the directory.
/// </summary>
internal static class SubstituteStores
{
    private static readonly ConcurrentDictionary<string, IObjectStore> Stores = new(StringComparer.Ordinal);

    /// <summary>Puts <paramref name="store"/> in place of the posix repository at <paramref name="posixPath"/> until disposed.</summary>
    public static IDisposable Register(string posixPath, IObjectStore store)
    {
        var key = Key(posixPath);
        if (!Stores.TryAdd(key, store))
        {
            throw new InvalidOperationException($"A store is registered for '{key}' already.");
        }
        return new Registration(key);
    }

    /// <summary>The store registered for a posix repository's directory, or null (always, outside tests).</summary>
    public static IObjectStore? For(string posixPath) =>
        Stores.IsEmpty ? null : Stores.GetValueOrDefault(Key(posixPath));

    private static string Key(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private sealed class Registration : IDisposable
    {
        private readonly string _key;

        public Registration(string key) => _key = key;

        public void Dispose() => Stores.TryRemove(_key, out _);
    }
}
