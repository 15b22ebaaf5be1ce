using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace CinderBackup.Interop.Tests;

/// <summary>
/// Runs tests/interop/cinder_driver.py (Cinder's own PosixBackupDriver and Backup record code, from Debian's
/// python3-cinder) with Debian's /usr/bin/python3: one JSON request on stdin, one JSON answer on stdout.
/// </summary>
internal static class CinderDriver
{
    public const string Python = "/usr/bin/python3";

    public const string PosixService = "cinder.backup.drivers.posix.PosixBackupDriver";

    private const string Imports = "import cinder.backup.drivers.posix, cinder.objects, zstd";

    private static readonly Lazy<string?> Missing = new(FindProblem);

    public static string Script => Path.Combine(AppContext.BaseDirectory, "interop", "cinder_driver.py");

    /// <summary>Cinder's Python time format the script parses (UTC).</summary>
    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    /// <summary>
    /// The chain a restore request gives Cinder's driver for backup <paramref name="level"/> of <paramref name="backups"/>
    /// (full first, each incremental's parent before it): that backup first, then its parents, as the catalog has them.
    /// </summary>
    public static JsonArray RestoreChain(CinderBackup.Engine.Api.BackupEngine engine, IReadOnlyList<VolumeBackup> backups, int level)
    {
        var chain = new JsonArray();
        for (var k = level; k >= 0; k--)
        {
            var b = engine.Backups.Get(backups[k].Id);
            chain.Add(new JsonObject
            {
                ["id"] = b.Id,
                ["volume_id"] = b.VolumeId,
                ["display_name"] = b.Name,
                ["display_description"] = b.Description,
                ["created_at"] = Time(b.CreatedAtUtc),
                ["parent_id"] = b.ParentId,
                ["container"] = b.Container,
                ["service_metadata"] = b.ServiceMetadata,
                ["size"] = b.Size,
            });
        }
        return chain;
    }

    /// <summary>Fails the test (never skips it) when the real Cinder code is not installed.</summary>
    public static void RequireCinder()
    {
        if (Missing.Value is string problem)
        {
            Assert.Fail(problem);
        }
    }

    /// <summary>Runs one command and returns its answer; a failure of the script fails the test with its stderr.</summary>
    public static JsonNode Run(string command, JsonObject request)
    {
        RequireCinder();
        var (code, stdout, stderr) = Exec(new[] { Script, command }, request.ToJsonString());
        if (code != 0)
        {
            Assert.Fail($"cinder_driver.py {command} exited with {code}:\n{Tail(stderr)}");
        }
        return JsonNode.Parse(stdout) ?? throw new InvalidOperationException("cinder_driver.py printed null");
    }

    /// <summary>Runs one command of another script of tests/interop (e.g. cinder_ceph.py) and returns its answer.</summary>
    public static JsonNode RunScript(string script, string command, JsonObject request)
    {
        RequireCinder();
        var (code, stdout, stderr) = Exec(new[] { Path.Combine(AppContext.BaseDirectory, "interop", script), command }, request.ToJsonString());
        if (code != 0)
        {
            Assert.Fail($"{script} {command} exited with {code}:\n{Tail(stderr)}");
        }
        return JsonNode.Parse(stdout) ?? throw new InvalidOperationException($"{script} printed null");
    }

    /// <summary>Several commands in one Python process (each request carries its "command").</summary>
    public static JsonArray Batch(params JsonObject[] requests)
    {
        var answer = Run("batch", new JsonObject { ["requests"] = new JsonArray(requests.Select(r => (JsonNode)r).ToArray()) });
        return answer["answers"]!.AsArray();
    }

    public static JsonObject With(this JsonObject request, string command)
    {
        request["command"] = command;
        return request;
    }

    private static string? FindProblem()
    {
        const string fix = "The interoperability tests run Cinder's own backup driver and record code from Debian's python3-cinder " +
            "(Zed) with /usr/bin/python3. Run scripts/test.sh, which installs it (apt-get install python3-cinder zstd), " +
            "or install python3-cinder yourself.";
        if (!File.Exists(Python))
        {
            return $"{Python} does not exist. {fix}";
        }
        if (!File.Exists(Script))
        {
            return $"The driver script '{Script}' was not copied next to the tests.";
        }
        try
        {
            var (code, _, stderr) = Exec(new[] { "-c", Imports }, null);
            return code == 0 ? null : $"python3-cinder is missing: '{Python} -c \"{Imports}\"' failed:\n{Tail(stderr)}\n{fix}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return $"Cannot run {Python}: {e.Message}. {fix}";
        }
    }

    private static (int Code, string Stdout, string Stderr) Exec(IEnumerable<string> args, string? stdin)
    {
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        // Debian's interpreter with Debian's packages only: nothing from a pyenv or virtualenv on the way.
        foreach (var v in new[] { "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "VIRTUAL_ENV" })
        {
            psi.Environment.Remove(v);
        }
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
        }
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{Python} {string.Join(' ', args)} did not finish within 5 minutes.");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Tail(string s) => s.Length <= 4000 ? s : "..." + s[^4000..];
}
