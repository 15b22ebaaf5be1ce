using System.Diagnostics;

namespace CinderBackup.Tests.Shared;

/// <summary>
/// cinder-backup commands run in the background (a slow backup while other commands act on the catalog); whatever still
/// runs when the test ends is killed.
/// </summary>
public sealed class CliProcesses : IDisposable
{
    private readonly List<Process> _started = new();

    public Process Start(ProcessStartInfo psi)
    {
        var p = Process.Start(psi)!;
        _started.Add(p);
        return p;
    }

    public Process Start(TempHome home, params string[] args) => Start(CliRunner.Start(home, args));

    /// <summary>Waits for a background command and returns what it printed.</summary>
    public static CliRunner.Result End(Process p)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Xunit.Assert.True(p.WaitForExit(180_000), "the background command did not end");
        return new CliRunner.Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose()
    {
        foreach (var p in _started)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }
            p.Dispose();
        }
    }
}
