using System.Diagnostics;
using System.Text;

namespace CinderBackup.Tests.Shared;

/// <summary>
/// Backup services as separate `cinder-backup service run` processes, one per host name, over one catalog and the
/// repositories of <see cref="TempHome"/>'s configuration. The catalog is the test's choice: <see cref="CatalogConfig"/>
/// (YAML appended to every configuration: empty for the SQLite catalog of the shared data directory, a `database`
/// section for another engine) comes from the constructor, else from CINDERBACKUP_TEST_CATALOG_CONFIG, so the same tests
/// rerun on another catalog. Each service's output is kept; whatever still runs at the end is killed.
/// </summary>
public sealed class ServiceCluster : IDisposable
{
    public const string CatalogVariable = "CINDERBACKUP_TEST_CATALOG_CONFIG";

    private readonly TempHome _home;
    private readonly Dictionary<string, (Process Process, StringBuilder Output)> _hosts = new(StringComparer.Ordinal);

    public ServiceCluster(TempHome home, string? catalogConfig = null)
    {
        _home = home;
        CatalogConfig = catalogConfig ?? Environment.GetEnvironmentVariable(CatalogVariable) ?? "";
    }

    public string CatalogConfig { get; }

    /// <summary>Writes the configuration every host and client uses: <paramref name="yaml"/> plus the catalog's.</summary>
    public void WriteConfig(string yaml) => _home.WriteConfig(yaml.TrimEnd('\n') + "\n" + CatalogConfig);

    /// <summary>Starts `service run --host <paramref name="host"/>` and waits until it reports.</summary>
    public Process Start(string host, params string[] extra)
    {
        var psi = CliRunner.Start(_home, new[] { "service", "run", "--host", host }.Concat(extra));
        var output = new StringBuilder();
        var p = Process.Start(psi)!;
        // Each line with the time it arrived, so a test can tell where a delay was (the dead-host reset's timing).
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(Stamp() + e.Data); } } };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(Stamp() + "stderr: " + e.Data); } } };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _hosts[host] = (p, output);
        Poll.Until(() => Log(host).Contains("Backup service started", StringComparison.Ordinal) || p.HasExited, $"service {host} to start");
        Xunit.Assert.False(p.HasExited, $"service {host} ended at start:\n{Log(host)}");
        return p;
    }

    /// <summary>The wall-clock prefix of each logged line (UTC, milliseconds).</summary>
    public static string Stamp() => DateTime.UtcNow.ToString("HH:mm:ss.fff ", System.Globalization.CultureInfo.InvariantCulture);

    public string Log(string host)
    {
        var output = _hosts[host].Output;
        lock (output)
        {
            return output.ToString();
        }
    }

    public IEnumerable<string> Hosts => _hosts.Keys;

    /// <summary>kill -9: the host dies with whatever it was doing.</summary>
    public void Kill(string host)
    {
        var p = _hosts[host].Process;
        p.Kill();
        p.WaitForExit();
    }

    /// <summary>Sends <paramref name="signal"/> (STOP, CONT) to the host's process: SIGSTOP starves it as a stalled machine would.</summary>
    public void Signal(string host, string signal)
    {
        using var kill = Process.Start("kill", new[] { "-" + signal, _hosts[host].Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })!;
        kill.WaitForExit();
        Xunit.Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>SIGTERM, as systemd stops a service; returns its exit code.</summary>
    public int Stop(string host)
    {
        var p = _hosts[host].Process;
        using (var kill = Process.Start("kill", new[] { "-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }))
        {
            kill.WaitForExit();
        }
        Xunit.Assert.True(p.WaitForExit(120_000), $"service {host} did not stop on SIGTERM");
        p.WaitForExit(); // flushes the asynchronous output readers
        return p.ExitCode;
    }

    public void Dispose()
    {
        foreach (var (p, _) in _hosts.Values)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
            }
            p.Dispose();
        }
    }
}
