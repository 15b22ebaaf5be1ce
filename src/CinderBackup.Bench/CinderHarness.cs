using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace CinderBackup.Bench;

/// <summary>
/// Cinder's own PosixBackupDriver (Debian's python3-cinder) driven through tests/interop/cinder_driver.py in one
/// long-lived Python process ("serve": a JSON request per line). The script times each driver call itself, so
/// Python's start-up and Cinder's imports are not counted.
/// </summary>
internal sealed class CinderHarness : IDisposable
{
    public const string Python = "/usr/bin/python3";
    private const string ScriptPath = "tests/interop/cinder_driver.py";
    private readonly Process _process;
    private readonly string _repository;
    private readonly long _shaBlock;

    /// <summary>A backup Cinder wrote: what a later incremental or restore needs to name it.</summary>
    public sealed record Backup(string Id, string VolumeId, DateTime CreatedAt, string? ParentId, string Container, string Prefix, int SizeGiB);

    private CinderHarness(Process process, string repository, long shaBlock)
    {
        _process = process;
        _repository = repository;
        _shaBlock = shaBlock;
    }

    public string Repository => _repository;

    /// <summary>Starts the driver, or returns why it cannot run.</summary>
    public static CinderHarness? Start(string? script, string repository, long shaBlock, out string? problem)
    {
        script ??= FindScript();
        if (script is null || !File.Exists(script))
        {
            problem = $"Cinder was not run: the driver script ({script ?? ScriptPath}) was not found; give --cinder-driver PATH.";
            return null;
        }
        if (!File.Exists(Python))
        {
            problem = $"Cinder was not run: {Python} does not exist (apt-get install python3-cinder).";
            return null;
        }
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("serve");
        // Debian's interpreter with Debian's packages only, as the interoperability tests run it.
        foreach (var v in new[] { "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "VIRTUAL_ENV" })
        {
            psi.Environment.Remove(v);
        }
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        var process = Process.Start(psi)!;
        process.ErrorDataReceived += (_, _) => { }; // Cinder's warnings are not ours to print
        process.BeginErrorReadLine();
        Directory.CreateDirectory(repository);
        var harness = new CinderHarness(process, repository, shaBlock);
        try
        {
            harness.Call(new JsonObject { ["command"] = "decode", ["backup_url"] = "e30=" }); // "{}": imports Cinder now
        }
        catch (InvalidOperationException e)
        {
            harness.Dispose();
            problem = $"Cinder was not run: {e.Message} (is python3-cinder installed?)";
            return null;
        }
        problem = null;
        return harness;
    }

    /// <summary>tests/interop/cinder_driver.py above the current directory or above this program.</summary>
    public static string? FindScript()
    {
        foreach (var start in new[] { System.Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, ScriptPath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /// <summary>Cinder backs up <paramref name="volumeFile"/>, fully or (with a parent) incrementally.</summary>
    public (Backup Backup, BenchSample Sample) BackUp(string volumeFile, string volumeId, long volumeBytes, string compression, long objectSize, Backup? parent)
    {
        var id = Guid.NewGuid().ToString();
        var created = DateTime.UtcNow;
        var sizeGiB = (int)((volumeBytes + BenchOptions.GiB - 1) / BenchOptions.GiB);
        var fields = Fields(id, volumeId, created, parent?.Id, null, null, sizeGiB);
        var load = Meter.LoadAverage();
        var answer = Call(new JsonObject
        {
            ["command"] = "backup",
            ["repo"] = _repository,
            ["driver"] = "posix",
            ["volume_file"] = volumeFile,
            ["backup"] = fields,
            ["parent"] = parent is null ? null : Fields(parent.Id, parent.VolumeId, parent.CreatedAt, parent.ParentId, parent.Container, parent.Prefix, parent.SizeGiB),
            ["size_gib"] = sizeGiB,
            ["compression"] = compression,
            ["file_size"] = objectSize,
            ["sha_block"] = _shaBlock,
            ["timestamp"] = Engine.Util.Clock.ToStorage(created),
            ["volume_meta"] = null,
        });
        var backup = new Backup(id, volumeId, created, parent?.Id, (string)answer["container"]!, (string)answer["service_metadata"]!, sizeGiB);
        return (backup, Sample(answer, load, StoredBytes(backup)));
    }

    /// <summary>Cinder restores <paramref name="chain"/> (the requested backup first) into <paramref name="target"/>.</summary>
    public BenchSample Restore(IReadOnlyList<Backup> chain, string target, string compression)
    {
        var list = new JsonArray();
        foreach (var b in chain)
        {
            list.Add(Fields(b.Id, b.VolumeId, b.CreatedAt, b.ParentId, b.Container, b.Prefix, b.SizeGiB));
        }
        var load = Meter.LoadAverage();
        var answer = Call(new JsonObject
        {
            ["command"] = "restore",
            ["repo"] = _repository,
            ["driver"] = "posix",
            ["volume_file"] = target,
            ["chain"] = list,
            ["compression"] = compression,
        });
        return Sample(answer, load, null);
    }

    public void Delete(Backup backup)
    {
        var dir = Path.Combine(_repository, backup.Container);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private long StoredBytes(Backup backup) =>
        new DirectoryInfo(Path.Combine(_repository, backup.Container)).EnumerateFiles(backup.Prefix + "*").Sum(f => f.Length);

    private static BenchSample Sample(JsonNode answer, double load, long? stored)
    {
        var m = answer["measured"] ?? throw new InvalidOperationException("cinder_driver.py answered without \"measured\"; it is older than the benchmark.");
        return new BenchSample
        {
            Seconds = (double)m["wall_s"]!,
            CpuSeconds = (double)m["cpu_s"]!,
            PeakBytes = (long?)m["peak_rss_bytes"],
            StoredBytes = stored,
            LoadAverage = load,
        };
    }

    private static JsonObject Fields(string id, string volumeId, DateTime created, string? parentId, string? container, string? prefix, int sizeGiB) => new()
    {
        ["id"] = id,
        ["volume_id"] = volumeId,
        ["display_name"] = "bench",
        ["display_description"] = null,
        ["created_at"] = Engine.Util.Clock.ToStorage(created),
        ["parent_id"] = parentId,
        ["container"] = container,
        ["service_metadata"] = prefix,
        ["size"] = sizeGiB,
    };

    private JsonNode Call(JsonObject request)
    {
        _process.StandardInput.WriteLine(request.ToJsonString());
        _process.StandardInput.Flush();
        var line = _process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"{Python} cinder_driver.py serve ended (exit code {(_process.HasExited ? _process.ExitCode : -1)})");
        var answer = JsonNode.Parse(line) ?? throw new InvalidOperationException("cinder_driver.py answered null");
        if (answer["error"] is JsonNode error)
        {
            throw new InvalidOperationException("Cinder's driver failed: " + (string?)error);
        }
        return answer;
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
        }
        _process.Dispose();
    }
}
