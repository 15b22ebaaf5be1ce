using System.Management.Automation;

namespace CinderBackup.PowerShell.Tests;

/// <summary>
/// Ctrl+C (StopProcessing), PowerShell.Stop() and Stop-Job leave the backup and the volume exactly as a cancel does
/// (a creating backup force-deleted with nothing kept, a restoring one available with its volume in error), and
/// before the stopped command returns, not when some later process recovers them.
/// </summary>
public sealed class StopTests
{
    private const string Slow = "backup_io_bandwidth_limit: 4MiB\n";

    [Fact]
    public void PowerShellStopCancelsABackupBeforeReturning()
    {
        using var s = new ModuleSession(Slow);
        s.Run("New-TestVolume -Name slow -DataMiB 40 | Out-Null");
        using (var ps = ModuleSession.Create(s.Runspace, "New-VolumeBackup -Volume slow -Name b1"))
        {
            var running = ps.BeginInvoke();
            WaitForProgress(ps);
            ps.Stop();
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        }
        AssertBackupCancelled(s, "b1");
    }

    [Fact]
    public void PowerShellStopCancelsARestoreBeforeReturning()
    {
        using var s = new ModuleSession();
        s.Run("New-TestVolume -Name slow -DataMiB 40 | Out-Null");
        Assert.Equal("available", PsResult.Prop(s.Run("New-VolumeBackup -Volume slow -Name b1").SingleOutput(), "Status"));
        File.AppendAllText(s.ConfigPath, Slow); // only the restore is slow
        using (var ps = ModuleSession.Create(s.Runspace, "Restore-VolumeBackup -Backup b1 -Name target -Confirm:$false"))
        {
            ps.BeginInvoke();
            WaitForProgress(ps);
            ps.Stop();
        }
        AssertRestoreCancelled(s, "b1", "target");
    }

    [Fact]
    public void StopJobCancelsABackupBeforeReturning()
    {
        using var s = new ModuleSession(Slow);
        s.Run("New-TestVolume -Name slow -DataMiB 40 | Out-Null");
        var r = s.Run("""
            $j = New-VolumeBackup -Volume slow -Name bj -AsJob
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ($j.Progress.Count -eq 0 -and $j.State -eq 'Running' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $before = $j.State
            Stop-Job -Job $j
            # Read at once: nothing may still be creating or backing-up once Stop-Job has returned.
            [pscustomobject]@{ Before = "$before"; After = "$($j.State)"; Backups = @(Get-VolumeBackup).Count; Volume = (Get-BlockVolume -Name slow).Status; Error = $j.Error[0] }
            """);
        var o = r.SingleOutput();
        Assert.Equal("Running", PsResult.Prop(o, "Before"));
        Assert.Equal("Stopped", PsResult.Prop(o, "After"));
        Assert.Equal(0, PsResult.Prop(o, "Backups"));
        Assert.Equal("available", PsResult.Prop(o, "Volume"));
        var error = Assert.IsType<ErrorRecord>(PsResult.Prop(o, "Error") is PSObject p ? p.BaseObject : PsResult.Prop(o, "Error"));
        Assert.StartsWith("BackupCancelled", error.FullyQualifiedErrorId);
        AssertBackupCancelled(s, "bj");
    }

    [Fact]
    public void StopJobCancelsARestoreBeforeReturning()
    {
        using var s = new ModuleSession();
        s.Run("New-TestVolume -Name slow -DataMiB 40 | Out-Null");
        s.Run("New-VolumeBackup -Volume slow -Name b1").SingleOutput();
        File.AppendAllText(s.ConfigPath, Slow);
        var r = s.Run("""
            $j = Restore-VolumeBackup -Backup b1 -Name target -Confirm:$false -AsJob
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ($j.Progress.Count -eq 0 -and $j.State -eq 'Running' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            Stop-Job -Job $j
            [pscustomobject]@{ After = "$($j.State)"; Backup = (Get-VolumeBackup -Name b1).Status; Volume = (Get-BlockVolume -Name target).Status }
            """);
        var o = r.SingleOutput();
        Assert.Equal("Stopped", PsResult.Prop(o, "After"));
        Assert.Equal("available", PsResult.Prop(o, "Backup"));
        Assert.Equal("error", PsResult.Prop(o, "Volume"));
    }

    /// <summary>Ctrl+C in a real pwsh (SIGINT to the process): the backup is cancelled before pwsh exits.</summary>
    [Fact]
    public void CtrlCInARealPwshCancelsTheBackup()
    {
        using var s = new ModuleSession(Slow);
        s.Run("New-TestVolume -Name slow -DataMiB 40 | Out-Null");
        var log = Path.Combine(s.Home, "cinder-backup.log");
        var script = Path.Combine(s.Root, "ctrlc.ps1");
        File.WriteAllText(script, $"Import-Module '{ModuleUnderTest.ManifestPath}' -ErrorAction Stop\nNew-VolumeBackup -Volume slow -Name bc\n'after the backup'\n");
        using var pwsh = ChildPwsh.Start(new[] { "-NoProfile", "-NonInteractive", "-File", script }, s.ChildEnvironment);
        var output = new System.Text.StringBuilder();
        pwsh.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        pwsh.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        pwsh.BeginOutputReadLine();
        pwsh.BeginErrorReadLine();
        CinderBackup.Tests.Shared.Poll.Until(() => File.Exists(log) && File.ReadAllText(log).Contains("backup.createprogress", StringComparison.Ordinal), "the backup to make progress");
        var tree = ProcessTree(pwsh.Id).ToList();
        Assert.True(tree.Count >= 1);
        foreach (var pid in tree)
        {
            Kill(pid, "INT"); // the dotnet host and the pwsh it runs, as a terminal's Ctrl+C signals the foreground group
        }
        Assert.True(pwsh.WaitForExit(60_000), "pwsh did not stop on Ctrl+C");
        pwsh.WaitForExit();
        // Every process of the tree has ended (pwsh itself may be a child of the dotnet host).
        CinderBackup.Tests.Shared.Poll.Until(() => tree.All(pid => !Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z"),
            "pwsh to exit", seconds: 60);
        lock (output)
        {
            Assert.DoesNotContain("after the backup", output.ToString());
        }
        AssertBackupCancelled(s, "bc");
    }

    private static void WaitForProgress(System.Management.Automation.PowerShell ps) =>
        CinderBackup.Tests.Shared.Poll.Until(() => ps.Streams.Progress.Count > 0 || ps.InvocationStateInfo.State != PSInvocationState.Running,
            "the first progress record", seconds: 60);

    /// <summary>A cancelled backup is force-deleted: gone from the catalog, no object left, its volume as it was.</summary>
    private static void AssertBackupCancelled(ModuleSession s, string name)
    {
        var r = s.Run($"[pscustomobject]@{{ Backups = @(Get-VolumeBackup).Count; Volume = (Get-BlockVolume -Name slow).Status }}");
        var o = r.SingleOutput();
        Assert.Equal(0, PsResult.Prop(o, "Backups"));
        Assert.Equal("available", PsResult.Prop(o, "Volume"));
        var repository = Path.Combine(s.Home, "backup");
        var left = Directory.Exists(repository) ? Directory.GetFiles(repository, "*", SearchOption.AllDirectories) : Array.Empty<string>();
        Assert.True(left.Length == 0, $"backup {name}: objects left: {string.Join(", ", left)}");
    }

    private static void AssertRestoreCancelled(ModuleSession s, string backup, string volume)
    {
        var o = s.Run($"[pscustomobject]@{{ Backup = (Get-VolumeBackup -Name {backup}).Status; Volume = (Get-BlockVolume -Name {volume}).Status }}").SingleOutput();
        Assert.Equal("available", PsResult.Prop(o, "Backup"));
        Assert.Equal("error", PsResult.Prop(o, "Volume"));
    }

    /// <summary>The process and its descendants (`dotnet pwsh` runs pwsh as a child of the dotnet host).</summary>
    private static IEnumerable<int> ProcessTree(int root)
    {
        yield return root;
        var tasks = Path.Combine("/proc", root.ToString(System.Globalization.CultureInfo.InvariantCulture), "task");
        var children = Directory.Exists(tasks)
            ? Directory.GetDirectories(tasks).Select(t => Path.Combine(t, "children")).Where(File.Exists)
                .SelectMany(f => File.ReadAllText(f).Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(int.Parse).ToList()
            : new List<int>();
        {
            foreach (var child in children)
            {
                foreach (var pid in ProcessTree(child))
                {
                    yield return pid;
                }
            }
        }
    }

    private static int Kill(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", new[] { "-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        kill.WaitForExit();
        return kill.ExitCode;
    }
}
