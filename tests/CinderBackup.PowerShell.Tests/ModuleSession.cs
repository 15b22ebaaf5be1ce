using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace CinderBackup.PowerShell.Tests;

/// <summary>
/// One test's PowerShell: a runspace hosted in this process with the module imported from out/CinderBackup, a private
/// data directory (CINDERBACKUP_HOME) and config file, and no identity or S3 credentials from the real environment.
/// The environment is the process's (the module reads it), so it is set here and put back on disposal.
/// </summary>
internal sealed class ModuleSession : IDisposable
{
    private static readonly string[] Cleared =
    {
        "OS_PROJECT_NAME", "OS_USERNAME", "CINDERBACKUP_ADMIN", "CINDERBACKUP_FAULT",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
    };

    private readonly Dictionary<string, string?> _saved = new();
    private readonly List<Runspace> _runspaces = new();

    /// <summary>Helpers every runspace gets: a pool volume with data, written with plain .NET file I/O.</summary>
    internal const string Helpers = """
        function New-TestVolume {
            param([string] $Name, [int] $DataMiB = 3, [int] $Size = 1)
            $v = New-BlockVolume -Name $Name -Size $Size -ErrorAction Stop
            $bytes = [byte[]]::new(1MB)
            [Random]::new($Name.Length + $DataMiB).NextBytes($bytes)
            $s = [IO.File]::OpenWrite($v.Path)
            try { for ($i = 0; $i -lt $DataMiB; $i++) { $bytes[0] = $i % 256; $s.Write($bytes, 0, $bytes.Length) } } finally { $s.Dispose() }
            Get-BlockVolume -VolumeId $v.Id
        }
        """;

    public ModuleSession(string config = "")
    {
        Root = Path.Combine(Path.GetTempPath(), "cbps-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        Home = Path.Combine(Root, "home");
        ConfigPath = Path.Combine(Root, "cinderbackup.yaml");
        File.WriteAllText(ConfigPath, "backup_file_size: 8MiB\n" + config);
        SetEnv("CINDERBACKUP_HOME", Home);
        SetEnv("CINDERBACKUP_CONFIG", ConfigPath);
        SetEnv("XDG_CONFIG_HOME", Path.Combine(Root, "xdg-config"));
        foreach (var name in Cleared)
        {
            SetEnv(name, null);
        }
        Runspace = OpenRunspace();
    }

    public string Root { get; }

    public string Home { get; }

    public string ConfigPath { get; }

    /// <summary>The test's main runspace.</summary>
    public Runspace Runspace { get; }

    /// <summary>The variables a child pwsh needs to see this session's data (same home and config, no identity).</summary>
    public IReadOnlyDictionary<string, string?> ChildEnvironment => new Dictionary<string, string?>(
        new[] { "CINDERBACKUP_HOME", "CINDERBACKUP_CONFIG", "XDG_CONFIG_HOME" }.Select(n => KeyValuePair.Create(n, Environment.GetEnvironmentVariable(n)))
            .Concat(Cleared.Select(n => KeyValuePair.Create(n, (string?)null))));

    public void SetEnv(string name, string? value)
    {
        if (!_saved.ContainsKey(name))
        {
            _saved[name] = Environment.GetEnvironmentVariable(name);
        }
        Environment.SetEnvironmentVariable(name, value);
    }

    /// <summary>Another runspace on the same data (a second session, or an observer while the main one is busy).</summary>
    public Runspace OpenRunspace()
    {
        var iss = InitialSessionState.CreateDefault2();
        var runspace = RunspaceFactory.CreateRunspace(iss);
        runspace.Open();
        _runspaces.Add(runspace);
        var imported = Run(runspace, $"Import-Module -Name '{ModuleUnderTest.ManifestPath.Replace("'", "''")}' -ErrorAction Stop\n{Helpers}");
        Assert.True(imported.Errors.Count == 0, "Import-Module failed: " + imported.Describe());
        return runspace;
    }

    /// <summary>Runs a script in the main runspace; variables are set first.</summary>
    public PsResult Run(string script, IReadOnlyDictionary<string, object?>? variables = null) => Run(Runspace, script, variables);

    public static PsResult Run(Runspace runspace, string script, IReadOnlyDictionary<string, object?>? variables = null)
    {
        using var ps = Create(runspace, script, variables);
        var result = new PsResult();
        try
        {
            result.Output.AddRange(ps.Invoke());
        }
        catch (RuntimeException e)
        {
            result.Terminating = e.ErrorRecord;
        }
        result.Collect(ps);
        return result;
    }

    /// <summary>A pipeline ready to invoke (for tests that stop it or read its streams while it runs).</summary>
    public static System.Management.Automation.PowerShell Create(Runspace runspace, string script, IReadOnlyDictionary<string, object?>? variables = null)
    {
        var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = runspace;
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
        {
            runspace.SessionStateProxy.SetVariable(name, value);
        }
        ps.AddScript(script);
        return ps;
    }

    public void Dispose()
    {
        foreach (var runspace in _runspaces)
        {
            // Jobs a test left behind must not outlive its data directory.
            try
            {
                Run(runspace, "Get-Job | Stop-Job; Get-Job | Remove-Job -Force");
            }
            catch (Exception)
            {
            }
            runspace.Dispose();
        }
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>What a pipeline produced: output, the records of each stream, and a terminating error if any.</summary>
internal sealed class PsResult
{
    public List<PSObject> Output { get; } = new();

    public List<ErrorRecord> Errors { get; } = new();

    public List<ProgressRecord> Progress { get; } = new();

    public List<string> Warnings { get; } = new();

    public ErrorRecord? Terminating { get; set; }

    /// <summary>The non-terminating errors, then the terminating one.</summary>
    public IReadOnlyList<ErrorRecord> AllErrors => Terminating is null ? Errors : Errors.Append(Terminating).ToList();

    public void Collect(System.Management.Automation.PowerShell ps)
    {
        Errors.AddRange(ps.Streams.Error);
        Progress.AddRange(ps.Streams.Progress);
        Warnings.AddRange(ps.Streams.Warning.Select(w => w.Message));
    }

    /// <summary>The single error this pipeline produced (the test fails otherwise).</summary>
    public ErrorRecord SingleError()
    {
        Assert.True(AllErrors.Count == 1, $"expected exactly one error, got {AllErrors.Count}: {Describe()}");
        return AllErrors[0];
    }

    /// <summary>The single output object of a pipeline that had no error.</summary>
    public PSObject SingleOutput()
    {
        Assert.True(AllErrors.Count == 0, Describe());
        Assert.True(Output.Count == 1, $"expected one output object, got {Output.Count}: {Describe()}");
        return Output[0];
    }

    /// <summary>Fails the test when the pipeline had an error.</summary>
    public PsResult SingleErrorFree()
    {
        Assert.True(AllErrors.Count == 0, Describe());
        return this;
    }

    /// <summary>A property of an output object (the module's types are not referenced here).</summary>
    public static object? Prop(PSObject o, string name) => o.Properties[name]?.Value;

    public string Describe() =>
        string.Join("\n", AllErrors.Select(e => $"{e.FullyQualifiedErrorId} [{e.CategoryInfo.Category}] {e.Exception.GetType().Name}: {e.Exception.Message} (target {e.TargetObject})"))
        + $"\noutput: {string.Join(", ", Output.Select(o => o?.ToString()))}";
}
