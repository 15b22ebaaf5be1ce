using System.Globalization;
using System.Security.Cryptography;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Native;
using static CinderBackup.Bench.BenchRunner;

namespace CinderBackup.Bench;

/// <summary>
/// One benchmark run: the scratch directory, the generated volumes, an engine on a private catalog and
/// repositories, Cinder's driver, and the rounds. In each round every case runs once with CinderBackup and then
/// once with Cinder on the same volume state, so both see the same load.
/// </summary>
internal sealed class BenchSession : IDisposable
{
    public const string CopyTool = "cp --sparse=always";
    public const string Sha256sumTool = "sha256sum";
    public const string ZstdTool = "zstd -1 -T2";
    public const string ReadHashTool = "read+sha256 (1 thread)";
    public const string BaselineCase = "baseline";
    public const string MixedVolume = "mixed";
    public const string RandomVolume = "random";
    public const string SparseVolume = "sparse";
    public const string SparseDataVolume = "sparse-data";
    private const string LargeRepository = "large";
    internal const long ShaBlock = 32768;
    private const int ChainLength = 5;
    private const double ChangedShare = 0.01;

    private readonly BenchOptions _o;
    private readonly BenchReport _report;
    private readonly Action<string> _log;
    private readonly CancellationToken _cancel;
    private readonly string _dir;
    private readonly bool _ownDir;
    private readonly bool _privateDir;
    private readonly Dictionary<(string Case, string Tool, string Volume), (long Bytes, List<BenchSample> Samples)> _rows = new();
    private BackupEngine? _engine;
    private CinderHarness? _cinder;

    public BenchSession(BenchOptions options, BenchReport report, Action<string> log, CancellationToken cancel)
    {
        _o = options;
        _report = report;
        _log = log;
        _cancel = cancel;
        _dir = Path.GetFullPath(options.Directory ?? Path.Combine(Path.GetTempPath(), $"cinderbackup-bench-{Guid.NewGuid():N}"));
        // BenchRunner refused a --dir that holds anything; one that does not exist yet is ours to remove again.
        _ownDir = !Directory.Exists(_dir);
        _privateDir = options.Directory is null;
    }

    /// <summary>Every file and directory a run creates in its scratch directory.</summary>
    internal static readonly IReadOnlyList<string> ScratchNames = new[]
    {
        "mixed.img", "random.img", "sparse.img", "sparse-data.img", "mixed-work.img", "warmup.img", "baseline.out", "cinder-restore.img",
        "home", "repo", "repo-large", "cinder-repo",
    };

    private string Mixed => Path.Combine(_dir, "mixed.img");
    private string Random => Path.Combine(_dir, "random.img");
    private string Sparse => Path.Combine(_dir, "sparse.img");
    private string SparseData => Path.Combine(_dir, "sparse-data.img");
    private string Work => Path.Combine(_dir, "mixed-work.img");
    private string Repository => Path.Combine(_dir, "repo");
    private BackupEngine Engine => _engine!;

    private bool Wants(string name) => _o.Cases is null || _o.Cases.Contains(name);

    private bool WantsAny(params string[] names) => names.Any(Wants);

    public void Run()
    {
        Directory.CreateDirectory(_dir);
        Generate();
        OpenEngine();
        if (_o.Cinder)
        {
            _cinder = CinderHarness.Start(_o.CinderDriver, Path.Combine(_dir, "cinder-repo"), ShaBlock, out var problem);
            if (problem is not null)
            {
                _report.Notes.Add(problem);
                _log(problem);
            }
        }
        WarmUp();
        var mixed = WantsAny(FullLargeObjects, RestoreLargeObjects) ? Engine.Volumes.Register("mixed", Mixed) : null;
        var random = WantsAny(FullZstdRandom, FullZlibRandom) ? Engine.Volumes.Register("random", Random) : null;
        var sparse = WantsAny(FullSparse, FullSparseNone) ? Engine.Volumes.Register("sparse", Sparse) : null;
        for (var round = 1; round <= _o.Runs; round++)
        {
            _cancel.ThrowIfCancellationRequested();
            MixedRound(round);
            if (random is not null)
            {
                RandomRound(random.Id);
            }
            if (sparse is not null)
            {
                SparseRound(round, sparse.Id);
            }
            if (mixed is not null)
            {
                LargeObjectRound(round, mixed.Id);
            }
        }
        foreach (var ((name, tool, volume), (bytes, samples)) in _rows)
        {
            _report.Results.Add(new BenchResult { Case = name, Tool = tool, Volume = volume, VolumeBytes = bytes, Samples = samples });
        }
    }

    private void Generate()
    {
        _log($"Generating volumes in {_dir} ...");
        VolumeGenerator.WriteMixed(Mixed, _o.MixedBytes, _o.Seed);
        if (WantsAny(FullZstdRandom, FullZlibRandom))
        {
            VolumeGenerator.WriteRandom(Random, _o.RandomBytes, _o.Seed + 1);
        }
        if (WantsAny(FullSparse, FullSparseNone))
        {
            VolumeGenerator.WriteSparse(Sparse, SparseData, _o.SparseBytes, _o.SparseDataBytes, _o.Seed + 2);
        }
        // On disk before anything is timed (they stay in the page cache): the first round would otherwise share the
        // disk and a core with the kernel writing gigabytes of new volumes out (its sparse backup took 1.3-1.5 s
        // where the later rounds took 1.0-1.1).
        foreach (var path in new[] { Mixed, Random, Sparse, SparseData }.Where(File.Exists))
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            LibC.Fsync(handle);
        }
    }

    /// <summary>
    /// Every code path once on a small volume, unmeasured: the first run of a process otherwise pays for compiling
    /// it (a CLI backup does too, but the benchmark measures the steady state, as its medians would anyway).
    /// </summary>
    private void WarmUp()
    {
        _log("Warming up ...");
        var path = Path.Combine(_dir, "warmup.img");
        VolumeGenerator.WriteMixed(path, 16 * BenchOptions.MiB, _o.Seed + 9);
        using (var f = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(f, Math.Max(2 * _o.ObjectSize, 64 * BenchOptions.MiB)); // holes too
        }
        var volume = Engine.Volumes.Register("warmup", path);
        var made = new List<VolumeBackup>();
        try
        {
            foreach (var codec in new[] { "none", "zlib", "bz2", "zstd" })
            {
                made.Add(Engine.Backups.Create(new BackupCreateOptions { Volume = volume.Id, Compression = codec }));
            }
            VolumeGenerator.Mutate(path, ShaBlock, ChangedShare, _o.Seed + 10);
            made.Add(Engine.Backups.Create(new BackupCreateOptions { Volume = volume.Id, Incremental = true }));
            var restored = Engine.Backups.Restore(made[^1].Id);
            Engine.Volumes.Delete(restored.VolumeId);
            Engine.Backups.Verify(made[^1].Id, deep: true);
            ReadAndHash(path);
        }
        finally
        {
            for (var i = made.Count - 1; i >= 0; i--)
            {
                Engine.Backups.Delete(made[i].Id);
            }
            Engine.Volumes.Delete(volume.Id);
            File.Delete(path);
        }
    }

    private void OpenEngine()
    {
        var home = Path.Combine(_dir, "home");
        Directory.CreateDirectory(home);
        var config = Path.Combine(home, "cinderbackup.yaml");
        var settings = new Dictionary<string, string>(_o.Settings)
        {
            ["state_path"] = home,
            ["quota_backups"] = "-1",
            ["quota_backup_gigabytes"] = "-1",
            ["quota_volumes"] = "-1",
            ["quota_gigabytes"] = "-1",
        };
        if (_o.Workers is int w)
        {
            settings["backup_workers"] = w.ToString(CultureInfo.InvariantCulture);
        }
        var lines = settings.Select(kv => $"{kv.Key}: {kv.Value}").ToList();
        lines.Add("repositories:");
        lines.Add("  bench:");
        lines.Add("    default: true");
        lines.Add($"    backup_posix_path: {Repository}");
        lines.Add($"    backup_file_size: {_o.ObjectSize}");
        lines.Add($"  {LargeRepository}:");
        lines.Add($"    backup_posix_path: {Path.Combine(_dir, "repo-large")}");
        lines.Add($"    backup_file_size: {_o.LargeObjectSize}");
        File.WriteAllLines(config, lines);
        // A private catalog and identity: nothing of the user's configuration or data is touched.
        _engine = BackupEngine.Open(new EngineOptions
        {
            ConfigPath = config,
            Environment = name => name.StartsWith("CINDERBACKUP_", StringComparison.Ordinal) || name.StartsWith("OS_", StringComparison.Ordinal)
                ? null : System.Environment.GetEnvironmentVariable(name),
        });
    }

    /// <summary>Full backups per codec, the chain of five 1 % incrementals, restores, verify, an unchanged incremental.</summary>
    private void MixedRound(int round)
    {
        if (!WantsAny(FullNone, FullZlib, FullBz2, FullZstd, IncrementalChanged, IncrementalUnchanged, RestoreFull, RestoreChain, VerifyDeep))
        {
            return;
        }
        File.Copy(Mixed, Work, overwrite: true);
        var volume = Engine.Volumes.Register($"mixed-{round}", Work);
        var cinderVolume = Guid.NewGuid().ToString();
        var ours = new List<VolumeBackup>();
        var theirs = new List<CinderHarness.Backup>();
        try
        {
            foreach (var (name, codec) in new[] { (FullNone, "none"), (FullZlib, "zlib"), (FullBz2, "bz2") })
            {
                if (Wants(name))
                {
                    var b = OurBackup(name, MixedVolume, _o.MixedBytes, volume.Id, codec, incremental: false);
                    Engine.Backups.Delete(b.Id);
                    if (CinderBackup(name, MixedVolume, Work, cinderVolume, _o.MixedBytes, codec, _o.ObjectSize, null) is { } c)
                    {
                        _cinder!.Delete(c);
                    }
                }
            }
            var needChain = WantsAny(IncrementalChanged, IncrementalUnchanged, RestoreChain);
            if (!WantsAny(FullZstd, RestoreFull, VerifyDeep) && !needChain)
            {
                BaselinesOnMixed();
                return;
            }
            ours.Add(OurBackup(FullZstd, MixedVolume, _o.MixedBytes, volume.Id, "zstd", incremental: false));
            if (CinderBackup(FullZstd, MixedVolume, Work, cinderVolume, _o.MixedBytes, "zstd", _o.ObjectSize, null) is { } full)
            {
                theirs.Add(full);
            }
            BaselinesOnMixed();
            if (needChain)
            {
                for (var i = 1; i <= ChainLength; i++)
                {
                    VolumeGenerator.Mutate(Work, ShaBlock, ChangedShare, _o.Seed + (ulong)(round * 100 + i));
                    ours.Add(OurBackup(IncrementalChanged, MixedVolume, _o.MixedBytes, volume.Id, "zstd", incremental: true));
                    if (theirs.Count > 0 && CinderBackup(IncrementalChanged, MixedVolume, Work, cinderVolume, _o.MixedBytes, "zstd", _o.ObjectSize, theirs[^1]) is { } inc)
                    {
                        theirs.Add(inc);
                    }
                }
            }
            if (Wants(RestoreFull))
            {
                OurRestore(RestoreFull, MixedVolume, _o.MixedBytes, ours[0], round == 1 ? Mixed : null);
                CinderRestore(RestoreFull, MixedVolume, _o.MixedBytes, theirs.Take(1).ToList(), round == 1 ? Mixed : null);
            }
            if (Wants(RestoreChain))
            {
                OurRestore(RestoreChain, MixedVolume, _o.MixedBytes, ours[^1], round == 1 ? Work : null);
                CinderRestore(RestoreChain, MixedVolume, _o.MixedBytes, Enumerable.Reverse(theirs).ToList(), round == 1 ? Work : null);
            }
            if (Wants(VerifyDeep))
            {
                PageCache.Evict(Repository);
                Record(VerifyDeep, BenchResult.CinderBackupTool, MixedVolume, _o.MixedBytes, Meter.Run(() =>
                {
                    var v = Engine.Backups.Verify(ours[0].Id, deep: true, cancel: _cancel);
                    if (!v.IsValid)
                    {
                        throw new InvalidOperationException($"Deep verify of the full backup failed: {v.Problem}");
                    }
                }));
            }
            if (Wants(IncrementalUnchanged))
            {
                ours.Add(OurBackup(IncrementalUnchanged, MixedVolume, _o.MixedBytes, volume.Id, "zstd", incremental: true));
                if (theirs.Count > 0 && CinderBackup(IncrementalUnchanged, MixedVolume, Work, cinderVolume, _o.MixedBytes, "zstd", _o.ObjectSize, theirs[^1]) is { } same)
                {
                    theirs.Add(same);
                }
            }
        }
        finally
        {
            for (var i = ours.Count - 1; i >= 0; i--)
            {
                Engine.Backups.Delete(ours[i].Id);
            }
            theirs.ForEach(b => _cinder?.Delete(b));
            Engine.Volumes.Delete(volume.Id);
            File.Delete(Work);
        }
    }

    private void BaselinesOnMixed()
    {
        if (!_o.Baselines)
        {
            return;
        }
        var copy = Path.Combine(_dir, "baseline.out");
        RunBaseline(CopyTool, MixedVolume, _o.MixedBytes, "cp", new[] { "--sparse=always", Work, copy }, copy);
        RunBaseline(Sha256sumTool, MixedVolume, _o.MixedBytes, "sha256sum", new[] { Work }, null);
        RunZstdBaseline(MixedVolume, _o.MixedBytes, Work, copy);
    }

    private void RandomRound(string volumeId)
    {
        foreach (var (name, codec) in new[] { (FullZstdRandom, "zstd"), (FullZlibRandom, "zlib") })
        {
            if (Wants(name))
            {
                var b = OurBackup(name, RandomVolume, _o.RandomBytes, volumeId, codec, incremental: false);
                Engine.Backups.Delete(b.Id);
                if (CinderBackup(name, RandomVolume, Random, Guid.NewGuid().ToString(), _o.RandomBytes, codec, _o.ObjectSize, null) is { } c)
                {
                    _cinder!.Delete(c);
                }
            }
        }
        if (_o.Baselines)
        {
            var copy = Path.Combine(_dir, "baseline.out");
            RunZstdBaseline(RandomVolume, _o.RandomBytes, Random, copy);
        }
    }

    private void SparseRound(int round, string volumeId)
    {
        // With zstd (the default) compressing the data costs more than reading and hashing it; with none, what is
        // left is the holes' cost on top of the data's, which is what the sparse target is about.
        foreach (var (name, codec) in new[] { (FullSparse, "zstd"), (FullSparseNone, "none") })
        {
            if (Wants(name))
            {
                var b = OurBackup(name, SparseVolume, _o.SparseBytes, volumeId, codec, incremental: false);
                Engine.Backups.Delete(b.Id);
            }
        }
        if (Wants(FullSparse) && round <= _o.CinderSparseRuns && CinderBackup(FullSparse, SparseVolume, Sparse, Guid.NewGuid().ToString(), _o.SparseBytes, "zstd", _o.ObjectSize, null) is { } c)
        {
            _cinder!.Delete(c);
        }
        // The reference: read the volume's data and hash it with SHA-256 (SHA-NI), in one thread, as fast as it goes.
        // Its file is read once first, so it comes from the page cache as the sparse volume's data does for the
        // backups above (the mixed cases and Cinder's pass over 64 GiB push it out; read from the disk, it took
        // 1.4-2.6 s of CPU instead of 0.7 in one full run, most of it filling the page cache).
        ReadThrough(SparseData);
        Record(BaselineCase, ReadHashTool, SparseDataVolume, _o.SparseDataBytes, Meter.Run(() => ReadAndHash(SparseData)));
        if (_o.Baselines)
        {
            RunBaseline(Sha256sumTool, SparseDataVolume, _o.SparseDataBytes, "sha256sum", new[] { SparseData }, null);
            var copy = Path.Combine(_dir, "baseline.out");
            RunZstdBaseline(SparseDataVolume, _o.SparseDataBytes, SparseData, copy);
            RunBaseline(CopyTool, SparseVolume, _o.SparseBytes, "cp", new[] { "--sparse=always", Sparse, copy }, copy);
        }
    }

    private void LargeObjectRound(int round, string volumeId)
    {
        var b = OurBackup(FullLargeObjects, MixedVolume, _o.MixedBytes, volumeId, "zstd", incremental: false, LargeRepository);
        var c = CinderBackup(FullLargeObjects, MixedVolume, Mixed, Guid.NewGuid().ToString(), _o.MixedBytes, "zstd", _o.LargeObjectSize, null);
        if (Wants(RestoreLargeObjects))
        {
            OurRestore(RestoreLargeObjects, MixedVolume, _o.MixedBytes, b, round == 1 ? Mixed : null);
            if (c is not null)
            {
                CinderRestore(RestoreLargeObjects, MixedVolume, _o.MixedBytes, new[] { c }, round == 1 ? Mixed : null);
            }
        }
        Engine.Backups.Delete(b.Id);
        if (c is not null)
        {
            _cinder!.Delete(c);
        }
    }

    private VolumeBackup OurBackup(string name, string volumeName, long bytes, string volumeId, string codec, bool incremental, string? repository = null)
    {
        _cancel.ThrowIfCancellationRequested();
        VolumeBackup? made = null;
        var sample = Meter.Run(
            () => made = Engine.Backups.Create(new BackupCreateOptions
            {
                Volume = volumeId, Name = name, Compression = codec, Incremental = incremental, Repository = repository, Cancel = _cancel,
            }),
            () => StoredBytes(made!));
        Record(name, BenchResult.CinderBackupTool, volumeName, bytes, sample);
        return made!;
    }

    private CinderHarness.Backup? CinderBackup(string name, string volumeName, string file, string volumeId, long bytes, string codec, long objectSize, CinderHarness.Backup? parent)
    {
        if (_cinder is null)
        {
            return null;
        }
        _cancel.ThrowIfCancellationRequested();
        var (backup, sample) = _cinder.BackUp(file, volumeId, bytes, codec, objectSize, parent);
        Record(name, BenchResult.CinderTool, volumeName, bytes, sample);
        return backup;
    }

    private void OurRestore(string name, string volumeName, long bytes, VolumeBackup backup, string? expected)
    {
        _cancel.ThrowIfCancellationRequested();
        // Both tools restore from the disk (see PageCache).
        PageCache.Evict(Repository);
        PageCache.Evict(Path.Combine(_dir, "repo-large"));
        BackupRestoreResult? result = null;
        Record(name, BenchResult.CinderBackupTool, volumeName, bytes, Meter.Run(() => result = Engine.Backups.Restore(backup.Id, cancel: _cancel)));
        var target = Engine.Volumes.Get(result!.VolumeId);
        try
        {
            if (expected is not null)
            {
                SameBytes(expected, target.Path, bytes, $"CinderBackup's {name}");
            }
        }
        finally
        {
            Engine.Volumes.Delete(target.Id);
        }
    }

    private void CinderRestore(string name, string volumeName, long bytes, IReadOnlyList<CinderHarness.Backup> chain, string? expected)
    {
        if (_cinder is null || chain.Count == 0)
        {
            return;
        }
        _cancel.ThrowIfCancellationRequested();
        PageCache.Evict(_cinder.Repository);
        var target = Path.Combine(_dir, "cinder-restore.img");
        using (var f = File.Create(target))
        {
            f.SetLength(bytes); // a new, sparse volume, as a restore to a new volume gets
        }
        try
        {
            Record(name, BenchResult.CinderTool, volumeName, bytes, _cinder.Restore(chain, target, "zstd"));
            if (expected is not null)
            {
                SameBytes(expected, target, bytes, $"Cinder's {name}");
            }
        }
        finally
        {
            File.Delete(target);
        }
    }

    /// <summary>zstd -1 -T2 of <paramref name="source"/> into <paramref name="copy"/>.</summary>
    private void RunZstdBaseline(string volumeName, long bytes, string source, string copy) =>
        RunBaseline(ZstdTool, volumeName, bytes, "zstd", new[] { "-1", "-T2", "-q", "-f", source, "-o", copy }, copy);

    private void RunBaseline(string tool, string volumeName, long bytes, string program, string[] arguments, string? output)
    {
        var path = Baseline.Find(program);
        if (path is null)
        {
            var note = $"Baseline '{tool}' was not run: {program} is not installed.";
            if (!_report.Notes.Contains(note))
            {
                _report.Notes.Add(note);
            }
            return;
        }
        try
        {
            Record(BaselineCase, tool, volumeName, bytes, Baseline.Run(path, arguments, _dir));
        }
        finally
        {
            if (output is not null)
            {
                File.Delete(output);
            }
        }
    }

    private void Record(string name, string tool, string volumeName, long bytes, BenchSample sample)
    {
        if (name != BaselineCase && !Wants(name))
        {
            return; // a step another case needs (e.g. the full backup under a chain), not asked for itself
        }
        var key = (name, tool, volumeName);
        if (!_rows.TryGetValue(key, out var row))
        {
            row = (bytes, new List<BenchSample>());
            _rows[key] = row;
        }
        row.Samples.Add(sample);
        _log(string.Create(CultureInfo.InvariantCulture,
            $"{name,-24} {tool,-24} {sample.Seconds,8:F2} s {sample.CpuSeconds,8:F2} cpu-s {bytes / 1e6 / sample.Seconds,9:F0} MB/s  peak {(sample.PeakBytes ?? 0) / 1048576.0,6:F0} MiB  load {sample.LoadAverage:F2}"));
    }

    private long StoredBytes(VolumeBackup b)
    {
        var root = b.Repository == LargeRepository ? Path.Combine(_dir, "repo-large") : Repository;
        return new DirectoryInfo(Path.Combine(root, b.Container!)).EnumerateFiles(b.ServiceMetadata + "*").Sum(f => f.Length);
    }

    private static void ReadThrough(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var buffer = new byte[1 << 20];
        for (long pos = 0; RandomAccess.Read(handle, buffer, pos) is var n && n > 0; pos += n)
        {
        }
    }

    private static void ReadAndHash(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var buffer = new byte[1 << 20];
        Span<byte> digest = stackalloc byte[32];
        for (long pos = 0; ; pos += buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer, pos);
            if (n <= 0)
            {
                break;
            }
            for (var off = 0; off < n; off += (int)ShaBlock)
            {
                SHA256.HashData(buffer.AsSpan(off, (int)Math.Min(ShaBlock, n - off)), digest);
            }
        }
    }

    /// <summary>The first <paramref name="length"/> bytes of both files are equal (the numbers are only worth quoting then).</summary>
    private static void SameBytes(string expected, string actual, long length, string what)
    {
        using var a = File.OpenHandle(expected, FileMode.Open, FileAccess.Read);
        using var b = File.OpenHandle(actual, FileMode.Open, FileAccess.Read);
        var x = new byte[4 << 20];
        var y = new byte[4 << 20];
        for (long pos = 0; pos < length; pos += x.Length)
        {
            var n = (int)Math.Min(x.Length, length - pos);
            if (RandomAccess.Read(a, x.AsSpan(0, n), pos) != n || RandomAccess.Read(b, y.AsSpan(0, n), pos) != n
                || !x.AsSpan(0, n).SequenceEqual(y.AsSpan(0, n)))
            {
                throw new InvalidOperationException($"{what} did not give back the volume's bytes (first difference near offset {pos}).");
            }
        }
    }

    public void Dispose()
    {
        _cinder?.Dispose();
        _engine?.Dispose();
        if (!_o.Keep)
        {
            try
            {
                if (_privateDir)
                {
                    Directory.Delete(_dir, recursive: true); // a fresh directory under the temporary directory
                }
                else
                {
                    // Only what this run made: --dir was empty or new (BenchRunner checks), and may have gained files since.
                    foreach (var name in ScratchNames)
                    {
                        var p = Path.Combine(_dir, name);
                        if (Directory.Exists(p))
                        {
                            Directory.Delete(p, recursive: true);
                        }
                        else
                        {
                            File.Delete(p);
                        }
                    }
                    if (_ownDir && !Directory.EnumerateFileSystemEntries(_dir).Any())
                    {
                        Directory.Delete(_dir);
                    }
                }
            }
            catch (IOException)
            {
            }
        }
    }
}
