using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.ObjectStores.Posix;

/// <summary>
/// Cinder's PosixBackupDriver layout: containers are directories under the root (0770), objects are files
/// (0660). Unlike Cinder, objects are staged under a name that does not start with any prefix
/// (<c>.cbstage-…</c>) and renamed into place; <see cref="WaitForWrites"/> fsyncs them and their directory
/// before the caller writes the commit point. Objects are written past the page cache on Linux
/// (<see cref="Native.DirectAppendStream"/>), through it with write-behind on NFS. Containers may not escape the root:
/// neither by their text (<c>..</c>, absolute paths) nor through a symbolic link inside the repository. Every operation
/// resolves the container's real path and checks that it lies under the root's real path (the root itself may be a
/// link), then works on that real path.
/// </summary>
internal class PosixObjectStore : IObjectStore
{
    public const string StagePrefix = ".cbstage-";

    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute;

    private const UnixFileMode FileMode_ = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    private readonly bool _createContainers;
    private readonly string? _defaultContainer;

    public PosixObjectStore(string root, bool createContainers, string repository = Config.EngineConfig.FlatRepositoryName, string? defaultContainer = null)
    {
        Root = Path.GetFullPath(root);
        _createContainers = createContainers;
        Repository = repository;
        _defaultContainer = defaultContainer;
    }

    public string Root { get; }

    public virtual string Driver => "posix";

    public virtual string ServiceName => "cinder.backup.drivers.posix.PosixBackupDriver";

    public string Location => Root;

    public string Repository { get; }

    /// <summary>Objects go past the page cache (they are not read back soon); NFS overrides this and writes behind.</summary>
    protected virtual bool WritesPastCache => true;

    public string DefaultContainer(string backupId) => _defaultContainer ?? Path.Combine(backupId[..2], backupId[2..4], backupId);

    /// <summary>Committed objects not yet known to be on disk (no path: a hard link, only its name is new), and their directories.</summary>
    private readonly List<(string? Path, string Directory)> _unsynced = new();

    /// <summary>
    /// Makes every object committed so far durable: their files are fsynced all at once, in parallel (the file
    /// system then commits them together, about 20 times faster than one fsync and directory fsync per object
    /// as they are committed), then their directories. Callers wait here before the commit point (_metadata).
    /// </summary>
    public void WaitForWrites()
    {
        List<(string? Path, string Directory)> batch;
        lock (_unsynced)
        {
            batch = new List<(string?, string)>(_unsynced);
            _unsynced.Clear();
        }
        if (batch.Count == 0)
        {
            return;
        }
        try
        {
            Parallel.ForEach(batch.Where(b => b.Path is not null), new ParallelOptions { MaxDegreeOfParallelism = 32 }, item =>
            {
                using var handle = File.OpenHandle(item.Path!, FileMode.Open, FileAccess.Read);
                Native.LibC.Fsync(handle);
                Native.LibC.DropFromCache(handle, 0, 0); // on disk now; a backup does not keep the cache
            });
            foreach (var dir in batch.Select(b => b.Directory).Distinct(StringComparer.Ordinal))
            {
                Native.LibC.FsyncDirectory(dir);
            }
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is IOException or UnauthorizedAccessException))
        {
            throw Io("Cannot flush backup objects to disk", Root, e.InnerExceptions[0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Io("Cannot flush backup objects to disk", Root, e);
        }
    }

    private void Committed(string? path, string directory)
    {
        lock (_unsynced)
        {
            _unsynced.Add((path, directory));
        }
    }

    public void CheckWritable(string? container)
    {
        var target = container ?? _defaultContainer;
        if (target is not null)
        {
            var dir = Dir(target);
            if (!_createContainers && !Directory.Exists(dir))
            {
                throw MissingContainer(dir);
            }
        }
        else if (!_createContainers && !Directory.Exists(Root))
        {
            throw MissingContainer(Root);
        }
    }

    public (bool Reachable, string? Problem) Probe()
    {
        try
        {
            if (Directory.Exists(Root))
            {
                var probe = Path.Combine(Root, $"{StagePrefix}probe-{Guid.NewGuid():N}");
                using (File.Create(probe, 1, FileOptions.DeleteOnClose))
                {
                }
                return (true, null);
            }
            if (File.Exists(Root))
            {
                return (false, $"'{Root}' is a file, not a directory.");
            }
            var parent = Path.GetDirectoryName(Root);
            while (parent is not null && !Directory.Exists(parent))
            {
                parent = Path.GetDirectoryName(parent);
            }
            if (!_createContainers)
            {
                return (false, $"The directory '{Root}' does not exist and backup_create_containers is false.");
            }
            if (parent is null || Native.LibC.IsOnReadOnlyFileSystem(parent))
            {
                return (false, $"The directory '{Root}' does not exist and cannot be created (read-only file system).");
            }
            return (true, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (false, $"The directory '{Root}' cannot be written: {e.Message}");
        }
    }

    private CinderBackupException MissingContainer(string dir) =>
        new(ErrorIds.ContainerNotFound, ErrorKind.NotFound,
            $"Backup directory for container does not exist: '{dir}' (repository '{Repository}'; backup_create_containers is false).", dir);

    public string Prefix(string volumeId, string backupId, DateTime utc, string availabilityZone) =>
        $"volume_{volumeId}_{utc:yyyyMMddHHmmss}_backup_{backupId}";

    public void ValidateContainer(string container)
    {
        var reason = ContainerProblem(container);
        if (reason is not null)
        {
            throw new CinderBackupException(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument,
                $"Invalid container '{PrintableText.Brief(container)}': {reason}.", container);
        }
    }

    private string? ContainerProblem(string container)
    {
        if (string.IsNullOrWhiteSpace(container))
        {
            return "it is empty";
        }
        if (container.Length > 255 || container.Any(char.IsControl))
        {
            return "at most 255 characters without control characters";
        }
        if (Path.IsPathRooted(container) || container.StartsWith('/') || container.StartsWith('\\'))
        {
            return $"absolute paths are not allowed; it must stay inside the repository '{Root}'";
        }
        var parts = container.Split('/', '\\');
        if (parts.Any(p => p == ".."))
        {
            return $"'..' is not allowed; it must stay inside the repository '{Root}'";
        }
        var full = Path.GetFullPath(Path.Combine(Root, container));
        if (!full.StartsWith(Root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return $"it must stay inside the repository '{Root}'";
        }
        var real = Native.RealPath.Resolve(full);
        var realRoot = Native.RealPath.Resolve(Root);
        if (!Native.RealPath.IsWithin(real, realRoot))
        {
            return $"through a symbolic link it leads to '{real}', outside the repository '{Root}'";
        }
        return null;
    }

    /// <summary>The real path of a container, checked to lie inside the repository.</summary>
    private string Dir(string container)
    {
        ValidateContainer(container);
        return Native.RealPath.Resolve(Path.Combine(Root, container));
    }

    /// <summary>The real path of an object: a plain name inside its container's real directory.</summary>
    private string ObjectPath(string container, string name)
    {
        if (name.Length == 0 || name is "." or ".." || name.Contains('/') || name.Contains('\\') || name.Any(char.IsControl))
        {
            throw new CinderBackupException(ErrorIds.InvalidBackup, ErrorKind.InvalidData,
                $"Invalid object name '{PrintableText.Brief(name)}' in container '{container}': an object is a file of its container.", name);
        }
        return Path.Combine(Dir(container), name);
    }

    public bool ContainerExists(string container) => Directory.Exists(Dir(container));

    public void PutContainer(string container)
    {
        var dir = Dir(container);
        if (Directory.Exists(dir))
        {
            return;
        }
        if (!_createContainers)
        {
            throw MissingContainer(dir);
        }
        try
        {
            CreateDirectories(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Io($"Cannot create the container directory '{dir}'", dir, e);
        }
        ValidateContainer(container); // what was made is still inside (no link appeared on the way)
    }

    private void CreateDirectories(string dir)
    {
        var missing = new Stack<string>();
        for (var d = dir; !Directory.Exists(d); d = Path.GetDirectoryName(d)!)
        {
            missing.Push(d);
        }
        while (missing.Count > 0)
        {
            var d = missing.Pop();
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(d);
            }
            else
            {
                Directory.CreateDirectory(d, DirectoryMode);
                File.SetUnixFileMode(d, DirectoryMode); // the umask must not narrow it
            }
        }
    }

    public IReadOnlyList<string> List(string container, string prefix)
    {
        var dir = Dir(container);
        if (!Directory.Exists(dir))
        {
            return Array.Empty<string>();
        }
        try
        {
            return Directory.EnumerateFiles(dir)
                .Select(Path.GetFileName)
                .Where(n => n!.StartsWith(prefix, StringComparison.Ordinal))
                .Select(n => n!)
                .OrderBy(n => n, StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Io($"Cannot list the container '{dir}'", dir, e);
        }
    }

    public IEnumerable<(string Container, string Name)> Scan(string? container)
    {
        var realRoot = Native.RealPath.Resolve(Root);
        var start = container is null ? realRoot : Dir(container);
        if (!Directory.Exists(start))
        {
            throw new CinderBackupException(ErrorIds.RepositoryUnavailable, ErrorKind.NotFound,
                container is null
                    ? $"Repository '{Repository}' has never been written: its directory '{Root}' does not exist (the first backup makes it). Nothing to discover; if backups should be there, check the repository's path (backup_posix_path)."
                    : $"Repository '{Repository}': the container directory '{start}' does not exist.", start);
        }
        // Depth first, directories in ordinal order, so the output is stable; symbolic links are not followed,
        // so a link cannot make the walk leave the repository or loop.
        var pending = new Stack<string>();
        pending.Push(start);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            string[] files, subdirectories;
            try
            {
                var entries = new DirectoryInfo(dir).GetFileSystemInfos();
                files = entries.Where(e => e is FileInfo && e.LinkTarget is null && !e.Name.StartsWith(StagePrefix, StringComparison.Ordinal))
                    .Select(e => e.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
                subdirectories = entries.Where(e => e is DirectoryInfo && e.LinkTarget is null)
                    .Select(e => e.FullName).OrderByDescending(n => n, StringComparer.Ordinal).ToArray();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Io($"Cannot list the directory '{dir}'", dir, e);
            }
            var relative = Path.GetRelativePath(realRoot, dir).Replace(Path.DirectorySeparatorChar, '/');
            foreach (var name in files)
            {
                yield return (relative == "." ? "" : relative, name);
            }
            foreach (var sub in subdirectories)
            {
                pending.Push(sub);
            }
        }
    }

    public IStagedObject Stage(string container, string tag)
    {
        var dir = Dir(container);
        var path = Path.Combine(dir, $"{StagePrefix}{tag}-{Guid.NewGuid():N}");
        return new PosixStagedObject(path, dir, Committed, WritesPastCache);
    }

    public virtual bool TryLink(string container, string existing, string name)
    {
        var dir = Dir(container);
        var path = ObjectPath(container, name);
        try
        {
            if (!Native.LibC.TryHardLink(ObjectPath(container, existing), path))
            {
                return false;
            }
        }
        catch (IOException e)
        {
            throw Io($"Cannot store backup object '{path}'", dir, e);
        }
        Committed(null, dir); // a new name only: the data is the existing object's, made durable with it
        return true;
    }

    public Stream OpenRead(string container, string name)
    {
        var path = ObjectPath(container, name);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException e)
        {
            throw new CinderBackupException(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData,
                $"Backup object '{name}' is missing from container '{container}' in '{Root}'.", name, e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new CinderBackupException(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData,
                $"Container '{container}' does not exist in '{Root}'.", container, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Io($"Cannot read backup object '{path}'", path, e);
        }
    }

    public long? Size(string container, string name)
    {
        var info = new FileInfo(ObjectPath(container, name));
        return info.Exists ? info.Length : null;
    }

    public void Delete(string container, string name)
    {
        var path = ObjectPath(container, name); // a link among the objects is removed itself, never what it points to
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Io($"Cannot delete backup object '{path}'", path, e);
        }
    }

    public void RemoveStaged(string container, string tag)
    {
        var dir = Dir(container);
        if (!Directory.Exists(dir))
        {
            return;
        }
        foreach (var f in Directory.EnumerateFiles(dir, $"{StagePrefix}{tag}-*"))
        {
            try
            {
                File.Delete(f);
            }
            catch (IOException)
            {
            }
        }
    }

    // ---- the repository marker: one file at the root, for every container ----

    private string MarkerPath => Path.Combine(Root, RepositoryMarker.Name);

    public virtual string MarkerLocation(string container) => Root;

    public string? ReadMarker(string container)
    {
        try
        {
            using var fs = new FileStream(MarkerPath, FileMode.Open, FileAccess.Read);
            return RepositoryMarker.ReadText(fs);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Io($"Cannot read the repository marker '{MarkerPath}'", MarkerPath, e);
        }
    }

    public bool CreateMarker(string container, string text)
    {
        // Staged, made durable, then given its name by link(2), which fails rather than replace a marker another
        // process wrote meanwhile.
        var staged = Path.Combine(Root, $"{StagePrefix}marker-{Guid.NewGuid():N}");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = FileMode_;
            }
            using (var fs = new FileStream(staged, options))
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(fs.SafeFileHandle, FileMode_); // as the objects: not narrowed by the umask
                }
                fs.Write(System.Text.Encoding.UTF8.GetBytes(text));
                fs.Flush(flushToDisk: true);
            }
            bool created;
            try
            {
                created = Native.LibC.TryHardLink(staged, MarkerPath);
                if (!created)
                {
                    File.Move(staged, MarkerPath, overwrite: false);
                    created = true;
                }
            }
            catch (IOException) when (File.Exists(MarkerPath))
            {
                created = false;
            }
            Native.LibC.FsyncDirectory(Root);
            return created;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Io($"Cannot write the repository marker '{MarkerPath}'", MarkerPath, e);
        }
        finally
        {
            try
            {
                File.Delete(staged);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private static CinderBackupException Io(string what, string target, Exception e) =>
        new(ErrorIds.RepositoryError, ErrorKind.IOError, $"{what}: {e.Message}", target, e);

    private sealed class PosixStagedObject : IStagedObject
    {
        private readonly string _path;
        private readonly string _dir;
        private readonly Action<string, string> _committed;
        private FileStream? _stream;
        private Stream? _writer;
        private bool _isCommitted;

        public PosixStagedObject(string path, string dir, Action<string, string> committed, bool direct)
        {
            _path = path;
            _dir = dir;
            _committed = committed;
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                BufferSize = 1 << 16,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = FileMode_;
            }
            try
            {
                _stream = new FileStream(path, options);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(_stream.SafeFileHandle, FileMode_); // not narrowed by the umask
                }
                _writer = direct && OperatingSystem.IsLinux()
                    ? new Native.DirectAppendStream(_stream.SafeFileHandle, path)
                    : new WriteBehindStream(_stream);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Io($"Cannot write to the container directory '{dir}'", dir, e);
            }
        }

        public Stream Stream => _writer ?? throw new ObjectDisposedException(nameof(PosixStagedObject));

        public void WriteZeros(long length)
        {
            if (Stream.Length != 0)
            {
                throw new InvalidOperationException("Zeros are written to an empty object only.");
            }
            _writer!.Dispose();
            _writer = null; // the object is the hole and nothing else
            var s = _stream!;
            s.SetLength(length); // a hole: no blocks are allocated
            s.Position = length;
        }

        /// <summary>Publishes the object; the store's WaitForWrites makes it durable.</summary>
        public void Commit(string name)
        {
            var s = _stream!;
            try
            {
                if (_writer is Native.DirectAppendStream direct)
                {
                    direct.Complete();
                    direct.Dispose();
                }
                _writer = null;
                s.Flush();
                Native.LibC.StartWriteback(s.SafeFileHandle); // the disk starts now; WaitForWrites finds less to wait for
                s.Dispose();
                _stream = null;
                var final = Path.Combine(_dir, name);
                File.Move(_path, final, overwrite: false);
                _isCommitted = true;
                _committed(final, _dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Io($"Cannot store backup object '{Path.Combine(_dir, name)}'", _dir, e);
            }
        }

        public void Dispose()
        {
            _writer?.Dispose(); // a direct writer waits for its queued writes here
            _writer = null;
            _stream?.Dispose();
            _stream = null;
            if (!_isCommitted)
            {
                try
                {
                    File.Delete(_path);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
