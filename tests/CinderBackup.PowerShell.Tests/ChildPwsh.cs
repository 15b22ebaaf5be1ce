using System.Diagnostics;
using System.Text;

namespace CinderBackup.PowerShell.Tests;

/// <summary>
/// A real pwsh 7.6.9 as a child process: the repository's local .NET tool (`dotnet pwsh`, after `dotnet tool
/// restore`), run with its standard input closed at once, as in an unattended runbook or CI.
/// </summary>
internal static class ChildPwsh
{
    private static readonly Lazy<int> Restored = new(() => Exec(new[] { "tool", "restore" }, null, 300).Code);

    /// <summary>The pwsh.dll of the tool manifest's PowerShell package, to run pwsh without the `dotnet pwsh` launcher.</summary>
    public static string PwshDll
    {
        get
        {
            _ = Restored.Value;
            using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(ModuleUnderTest.RepositoryRoot, ".config", "dotnet-tools.json")));
            var version = manifest.RootElement.GetProperty("tools").GetProperty("powershell").GetProperty("version").GetString()!;
            var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            var dll = Path.Combine(packages, "powershell", version, "tools", "net10.0", "any", "unix", "pwsh.dll");
            Assert.True(File.Exists(dll), $"pwsh {version} is not in the NuGet package folder ({dll}); run 'dotnet tool restore' in {ModuleUnderTest.RepositoryRoot}.");
            return dll;
        }
    }

    public static (int Code, string Output) Run(IEnumerable<string> arguments, int timeoutSeconds = 180, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (Restored.Value != 0)
        {
            throw new InvalidOperationException($"'dotnet tool restore' failed in {ModuleUnderTest.RepositoryRoot}: pwsh 7.6.9 is not available.");
        }
        return Exec(new[] { "pwsh" }.Concat(arguments), environment, timeoutSeconds);
    }

    private static (int Code, string Output) Exec(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment, int timeoutSeconds)
    {
        using var process = Process.Start(Info(arguments, environment))!;
        process.StandardInput.Close();
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output)
            {
                return (-1, $"timed out after {timeoutSeconds} s (a prompt waiting for input?)\n{output}");
            }
        }
        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static ProcessStartInfo Info(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = ModuleUnderTest.RepositoryRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }
        SetEnvironment(psi, environment ?? new Dictionary<string, string?>());
        return psi;
    }

    /// <summary>Sets (or, for null, removes) variables of a child process's environment.</summary>
    public static void SetEnvironment(ProcessStartInfo psi, IReadOnlyDictionary<string, string?> environment)
    {
        foreach (var (k, v) in environment)
        {
            if (v is null)
            {
                psi.Environment.Remove(k);
            }
            else
            {
                psi.Environment[k] = v;
            }
        }
    }
}
