using CinderBackup.Engine.Errors;
using CinderBackup.Engine.ObjectStores;
using CinderBackup.Engine.ObjectStores.Posix;
using CinderBackup.Engine.Repositories;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// A posix repository held in memory, for engine tests that need no disk (restic's backend/mem): directories of files,
/// the layout, names and container rules of <see cref="PosixObjectStore"/> (it asks one over the same root, which never
/// touches the disk for them), and its behaviour where the engine relies on it: objects staged under
/// <c>.cbstage-&lt;tag&gt;-…</c>, listed but never scanned, and published by <see cref="IStagedObject.Commit"/> without
/// replacing anything; names listed in ordinal order; the same error ids for a missing object, container or root.
/// <see cref="ObjectStoreContract"/> runs the same cases against both so that they cannot drift apart. Objects are
/// byte arrays and <see cref="WaitForWrites"/> has nothing to wait for. Put one in place of a configured posix
/// repository with <see cref="Register"/>.
/// </summary>
internal sealed class MemoryObjectStore : IObjectStore
{
    private readonly PosixObjectStore _layout;
    private readonly bool _createContainers;
    private readonly string? _defaultContainer;
    private readonly object _lock = new();

    /// <summary>The directories that exist, by path under the root ("" is the root itself), with their files.</summary>
    private readonly Dictionary<string, SortedDictionary<string, byte[]>> _directories = new(StringComparer.Ordinal);

    /// <param name="rootExists">Whether the root directory is there already (else the first container makes it).</param>
    public MemoryObjectStore(string root, bool createContainers = true, string repository = "default", string? defaultContainer = null,
        bool rootExists = false)
    {
        _layout = new PosixObjectStore(root, createContainers, repository, defaultContainer);
        _createContainers = createContainers;
        _defaultContainer = defaultContainer;
        if (rootExists)
        {
            _directories.Add("", new SortedDictionary<string, byte[]>(StringComparer.Ordinal));
        }
    }

    /// <summary>Puts a new memory store in place of the posix repository at <paramref name="posixPath"/> until disposed.</summary>
    public static (MemoryObjectStore Store, IDisposable Registration) Register(string posixPath)
    {
        var store = new MemoryObjectStore(posixPath);
        return (store, SubstituteStores.Register(posixPath, store));
    }

    public string Root => _layout.Root;

    public string Driver => _layout.Driver;

    public string ServiceName => _layout.ServiceName;

    public string Location => Root;

    public string Repository => _layout.Repository;

    /// <summary>Objects committed so far (links counted once per name), the marker included.</summary>
    public int ObjectCount
    {
        get
        {
            lock (_lock)
            {
                return _directories.Values.Sum(d => d.Keys.Count(n => !IsStaged(n)));
            }
        }
    }

    public string DefaultContainer(string backupId) => _layout.DefaultContainer(backupId);

    public string Prefix(string volumeId, string backupId, DateTime utc, string availabilityZone) =>
        _layout.Prefix(volumeId, backupId, utc, availabilityZone);

    public void ValidateContainer(string container) => _layout.ValidateContainer(container);

    public void PutContainer(string container)
    {
        var key = Key(container);
        lock (_lock)
        {
            if (_directories.ContainsKey(key))
            {
                return;
            }
            if (!_createContainers)
            {
                throw MissingContainer(key);
            }
            for (var d = key; ; d = Parent(d))
            {
                _directories.TryAdd(d, new SortedDictionary<string, byte[]>(StringComparer.Ordinal));
                if (d.Length == 0)
                {
                    break;
                }
            }
        }
    }

    public bool ContainerExists(string container)
    {
        var key = Key(container);
        lock (_lock)
        {
            return _directories.ContainsKey(key);
        }
    }

    public IReadOnlyList<string> List(string container, string prefix)
    {
        var key = Key(container);
        lock (_lock)
        {
            return _directories.TryGetValue(key, out var files)
                ? files.Keys.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList()
                : Array.Empty<string>();
        }
    }

    public IEnumerable<(string Container, string Name)> Scan(string? container)
    {
        var start = container is null ? "" : Key(container);
        List<(string, string)> found;
        lock (_lock)
        {
            if (!_directories.ContainsKey(start))
            {
                throw new CinderBackupException(ErrorIds.RepositoryUnavailable, ErrorKind.NotFound,
                    container is null
                        ? $"Repository '{Repository}' has never been written: its directory '{Root}' does not exist (the first backup makes it). Nothing to discover; if backups should be there, check the repository's path (backup_posix_path)."
                        : $"Repository '{Repository}': the container directory '{Full(start)}' does not exist.", Full(start));
            }
            // As the posix walk: depth first, a directory's files (staging ones left out) before its subdirectories,
            // both in ordinal order.
            found = new List<(string, string)>();
            var pending = new Stack<string>();
            pending.Push(start);
            while (pending.Count > 0)
            {
                var dir = pending.Pop();
                found.AddRange(_directories[dir].Keys.Where(n => !IsStaged(n)).Select(n => (dir, n)));
                foreach (var sub in _directories.Keys.Where(d => d.Length > 0 && d != dir && Parent(d) == dir).OrderByDescending(d => d, StringComparer.Ordinal))
                {
                    pending.Push(sub);
                }
            }
        }
        foreach (var item in found)
        {
            yield return item;
        }
    }

    public IStagedObject Stage(string container, string tag)
    {
        var key = Key(container);
        var name = $"{PosixObjectStore.StagePrefix}{tag}-{Guid.NewGuid():N}";
        lock (_lock)
        {
            if (!_directories.TryGetValue(key, out var files))
            {
                throw Io($"Cannot write to the container directory '{Full(key)}'", Full(key), "it does not exist");
            }
            files.Add(name, Array.Empty<byte>()); // listed, as a staging file is, until committed or discarded
        }
        return new StagedObject(this, key, name);
    }

    public bool TryLink(string container, string existing, string name)
    {
        var key = Key(container);
        CheckName(container, existing);
        CheckName(container, name);
        lock (_lock)
        {
            if (!_directories.TryGetValue(key, out var files) || !files.TryGetValue(existing, out var data))
            {
                return false; // link(2) fails with ENOENT: the caller stores the object itself
            }
            if (files.ContainsKey(name))
            {
                throw Io($"Cannot store backup object '{Full(key, name)}'", Full(key), $"'{Full(key, name)}' already exists.");
            }
            files.Add(name, data); // data is never changed once committed: both names share it
            return true;
        }
    }

    public Stream OpenRead(string container, string name)
    {
        var key = Key(container);
        CheckName(container, name);
        lock (_lock)
        {
            if (!_directories.TryGetValue(key, out var files))
            {
                throw new CinderBackupException(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData,
                    $"Container '{container}' does not exist in '{Root}'.", container);
            }
            if (!files.TryGetValue(name, out var data))
            {
                throw new CinderBackupException(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData,
                    $"Backup object '{name}' is missing from container '{container}' in '{Root}'.", name);
            }
            return new MemoryStream(data, writable: false);
        }
    }

    public long? Size(string container, string name)
    {
        var key = Key(container);
        CheckName(container, name);
        lock (_lock)
        {
            return _directories.TryGetValue(key, out var files) && files.TryGetValue(name, out var data) ? data.Length : null;
        }
    }

    public void Delete(string container, string name)
    {
        var key = Key(container);
        CheckName(container, name);
        lock (_lock)
        {
            if (_directories.TryGetValue(key, out var files))
            {
                files.Remove(name);
            }
        }
    }

    public void RemoveStaged(string container, string tag)
    {
        var key = Key(container);
        var prefix = $"{PosixObjectStore.StagePrefix}{tag}-";
        lock (_lock)
        {
            if (_directories.TryGetValue(key, out var files))
            {
                foreach (var name in files.Keys.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList())
                {
                    files.Remove(name);
                }
            }
        }
    }

    /// <summary>Memory is as durable as it gets here: a commit is visible and kept at once.</summary>
    public void WaitForWrites()
    {
    }

    public void CheckWritable(string? container)
    {
        var target = container ?? _defaultContainer;
        var key = target is null ? "" : Key(target); // the root, when backups go to containers of their own
        lock (_lock)
        {
            if (!_createContainers && !_directories.ContainsKey(key))
            {
                throw MissingContainer(key);
            }
        }
    }

    public string MarkerLocation(string container) => Root;

    public string? ReadMarker(string container)
    {
        lock (_lock)
        {
            if (!_directories.TryGetValue("", out var root) || !root.TryGetValue(RepositoryMarker.Name, out var data))
            {
                return null;
            }
            return RepositoryMarker.ReadText(new MemoryStream(data, writable: false));
        }
    }

    public bool CreateMarker(string container, string text)
    {
        lock (_lock)
        {
            if (!_directories.TryGetValue("", out var root))
            {
                throw Io($"Cannot write the repository marker '{Full("", RepositoryMarker.Name)}'", Full("", RepositoryMarker.Name), "the directory does not exist");
            }
            return root.TryAdd(RepositoryMarker.Name, System.Text.Encoding.UTF8.GetBytes(text));
        }
    }

    public (bool Reachable, string? Problem) Probe()
    {
        lock (_lock)
        {
            return _directories.ContainsKey("") || _createContainers
                ? (true, null)
                : (false, $"The directory '{Root}' does not exist and backup_create_containers is false.");
        }
    }

    /// <summary>Replaces a committed object's bytes (a test damaging the repository); throws when it is not there.</summary>
    public void Overwrite(string container, string name, byte[] data)
    {
        var key = Key(container);
        lock (_lock)
        {
            if (!_directories.TryGetValue(key, out var files) || !files.ContainsKey(name))
            {
                throw new InvalidOperationException($"No object '{name}' in container '{container}'.");
            }
            files[name] = data;
        }
    }

    /// <summary>A checked container as its path under the root, normalised as the file system would ("a//b/" is "a/b").</summary>
    private string Key(string container)
    {
        _layout.ValidateContainer(container);
        var relative = Path.GetRelativePath(Root, Path.GetFullPath(Path.Combine(Root, container))).TrimEnd('/');
        return relative == "." ? "" : relative;
    }

    private static string Parent(string key) => key.LastIndexOf('/') is var i and >= 0 ? key[..i] : "";

    private static bool IsStaged(string name) => name.StartsWith(PosixObjectStore.StagePrefix, StringComparison.Ordinal);

    private string Full(string key, string? name = null) => Path.Combine(Root, key, name ?? "");

    /// <summary>An object is a plain name of its container, as the posix store requires.</summary>
    private static void CheckName(string container, string name)
    {
        if (name.Length == 0 || name is "." or ".." || name.Contains('/') || name.Contains('\\') || name.Any(char.IsControl))
        {
            throw new CinderBackupException(ErrorIds.InvalidBackup, ErrorKind.InvalidData,
                $"Invalid object name '{name}' in container '{container}': an object is a file of its container.", name);
        }
    }

    private CinderBackupException MissingContainer(string key) =>
        new(ErrorIds.ContainerNotFound, ErrorKind.NotFound,
            $"Backup directory for container does not exist: '{Full(key)}' (repository '{Repository}'; backup_create_containers is false).", Full(key));

    private static CinderBackupException Io(string what, string target, string reason) =>
        new(ErrorIds.RepositoryError, ErrorKind.IOError, $"{what}: {reason}", target);

    /// <summary>An object being written: a buffer, published under its name by <see cref="Commit"/> if that name is free.</summary>
    private sealed class StagedObject : IStagedObject
    {
        private readonly MemoryObjectStore _store;
        private readonly string _key;
        private readonly string _stagedName;
        private MemoryStream? _stream = new();
        private long? _zeros;
        private bool _done;

        public StagedObject(MemoryObjectStore store, string key, string stagedName)
        {
            _store = store;
            _key = key;
            _stagedName = stagedName;
        }

        public Stream Stream => _stream ?? throw new ObjectDisposedException(nameof(StagedObject));

        public void WriteZeros(long length)
        {
            if (Stream.Length != 0)
            {
                throw new InvalidOperationException("Zeros are written to an empty object only.");
            }
            _stream = null; // the object is the zeros and nothing else
            _zeros = length;
        }

        public void Commit(string name)
        {
            CheckName(_key, name);
            var data = _zeros is { } zeros ? new byte[zeros] : (_stream ?? throw new ObjectDisposedException(nameof(StagedObject))).ToArray();
            lock (_store._lock)
            {
                if (!_store._directories.TryGetValue(_key, out var files) || !files.ContainsKey(_stagedName))
                {
                    throw Io($"Cannot store backup object '{_store.Full(_key, name)}'", _store.Full(_key), "its staging object is gone");
                }
                if (files.ContainsKey(name))
                {
                    throw Io($"Cannot store backup object '{_store.Full(_key, name)}'", _store.Full(_key), "an object of that name exists");
                }
                files.Remove(_stagedName);
                files.Add(name, data);
            }
            _stream = null;
            _done = true;
        }

        public void Dispose()
        {
            _stream = null;
            if (!_done)
            {
                _done = true;
                lock (_store._lock)
                {
                    if (_store._directories.TryGetValue(_key, out var files))
                    {
                        files.Remove(_stagedName);
                    }
                }
            }
        }
    }
}
