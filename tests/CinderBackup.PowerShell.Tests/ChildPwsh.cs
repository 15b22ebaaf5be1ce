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

    public static (int Code, string Output) Run(IEnumerable<string> arguments, int timeoutSeconds = 180, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (Restored.Value != 0)
        {
            throw new InvalidOperationException($"'dotnet tool restore' failed in {ModuleUnderTest.RepositoryRoot}: pwsh 7.6.9 is not available.");
        }
        return Exec(new[] { "pwsh" }.Concat(arguments), environment, timeoutSeconds);
    }

    /// <summary>Starts `dotnet pwsh` without waiting (for signals); stdin is closed at once.</summary>
    public static Process Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (Restored.Value != 0)
        {
            throw new InvalidOperationException($"'dotnet tool restore' failed in {ModuleUnderTest.RepositoryRoot}: pwsh 7.6.9 is not available.");
        }
        var process = Process.Start(Info(new[] { "pwsh" }.Concat(arguments), environment))!;
        process.StandardInput.Close();
        return process;
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
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
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
        return psi;
    }
}
