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

    /// <summary>
    /// Ctrl+C as pwsh's console host delivers it: its executor runs the command line as a runspace Pipeline and, on
    /// Ctrl+C, calls Pipeline.Stop(), which calls StopProcessing on the running cmdlet.
    /// </summary>
    [Fact]
    public void CtrlCAsTheConsoleHostStopsThePipelineCancelsTheBackup()
    {
        using var s = new ModuleSession(Slow);
        s.Run("New-TestVolume -Name slow -DataMiB 40 | Out-Null");
        var log = Path.Combine(s.Home, "cinder-backup.log");
        using (var pipeline = s.Runspace.CreatePipeline("New-VolumeBackup -Volume slow -Name bc"))
        {
            pipeline.InvokeAsync();
            pipeline.Input.Close();
            // Under way: started, and a second into its ten seconds of transfer.
            CinderBackup.Tests.Shared.Poll.Until(() => File.Exists(log) && File.ReadAllText(log).Contains("backup.create.start", StringComparison.Ordinal),
                "the backup to start", seconds: 60);
            Thread.Sleep(1500);
            Assert.Equal(System.Management.Automation.Runspaces.PipelineState.Running, pipeline.PipelineStateInfo.State);
            pipeline.Stop();
            Assert.Equal(System.Management.Automation.Runspaces.PipelineState.Stopped, pipeline.PipelineStateInfo.State);
        }
        AssertBackupCancelled(s, "bc");
    }

    /// <summary>
    /// Ctrl+C typed on a terminal: python3's pty module runs pwsh 7.6.9 on a pseudo-terminal and types Ctrl+C (0x03)
    /// a second into the backup, so the terminal sends SIGINT as a keyboard does. pwsh.dll runs directly (`dotnet
    /// exec`), as an installed pwsh does: the `dotnet pwsh` tool launcher would die on the signal itself. The driver
    /// gives pwsh SIGINT's default disposition, as a terminal's foreground job has: a CI run started in the background
    /// had SIGINT ignored, exec handed that on and Ctrl+C stopped nothing.
    /// </summary>
    [Fact]
    public void CtrlCOnARealTerminalCancelsTheBackup()
    {
        using var s = new ModuleSession(Slow);
        s.Run("New-TestVolume -Name slow -DataMiB 40 | Out-Null");
        var log = Path.Combine(s.Home, "cinder-backup.log");
        var script = Path.Combine(s.Root, "ctrlc.ps1");
        File.WriteAllText(script, $"Import-Module '{ModuleUnderTest.ManifestPath}' -ErrorAction Stop\nNew-VolumeBackup -Volume slow -Name bc\n'after the backup'\n");
        var driver = Path.Combine(s.Root, "ctrlc.py");
        File.WriteAllText(driver, """
            import os, pty, select, signal, sys, time
            repo, pwsh, script, log = sys.argv[1:5]
            pid, fd = pty.fork()
            if pid == 0:
                # A terminal's foreground job takes SIGINT by default; a CI started in the background may have it ignored,
                # which exec would hand on to pwsh (and .NET keeps an inherited ignore).
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                os.chdir(repo)
                os.execvp('dotnet', ['dotnet', 'exec', pwsh, '-NoProfile', '-NonInteractive', '-File', script])
            out = b''
            def pump(seconds, until=None):
                global out
                end = time.time() + seconds
                while time.time() < end and not (until and until()):
                    r, _, _ = select.select([fd], [], [], 0.1)
                    if r:
                        try:
                            data = os.read(fd, 4096)
                        except OSError:
                            return
                        if not data:
                            return
                        out += data
            started = lambda: os.path.exists(log) and b'backup.create.start' in open(log, 'rb').read()
            pump(120, started)
            print('started' if started() else 'not started', flush=True)
            pump(1.5)
            os.write(fd, b'\x03')
            pump(120)
            _, status = os.waitpid(pid, 0)
            sys.stdout.write(out.decode(errors='replace'))
            print('\nexit', os.waitstatus_to_exitcode(status), flush=True)
            """);
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { driver, ModuleUnderTest.RepositoryRoot, ChildPwsh.PwshDll, script, log })
        {
            psi.ArgumentList.Add(a);
        }
        ChildPwsh.SetEnvironment(psi, s.ChildEnvironment);
        using var python = System.Diagnostics.Process.Start(psi)!;
        var output = python.StandardOutput.ReadToEnd();
        Assert.True(python.WaitForExit(300_000), "the terminal driver did not finish");
        Assert.True(python.ExitCode == 0, output);
        Assert.StartsWith("started", output);
        Assert.Contains("\nexit ", output);
        Assert.False(output.Contains("after the backup", StringComparison.Ordinal), "the backup ran to its end: Ctrl+C did not stop it\n" + output);
        try
        {
            AssertBackupCancelled(s, "bc");
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException(e.Message + "\npwsh printed:\n" + output);
        }
    }

    private static void WaitForProgress(System.Management.Automation.PowerShell ps) =>
        CinderBackup.Tests.Shared.Poll.Until(() => ps.Streams.Progress.Count > 0 || ps.InvocationStateInfo.State != PSInvocationState.Running,
            "the first progress record", seconds: 60);

    /// <summary>A cancelled backup is force-deleted: gone from the catalog, no object left, its volume as it was.</summary>
    private static void AssertBackupCancelled(ModuleSession s, string name)
    {
        var r = s.Run($"[pscustomobject]@{{ Backups = @(Get-VolumeBackup).Count; Volume = (Get-BlockVolume -Name slow).Status; Left = (Get-VolumeBackup | ForEach-Object {{ \"$($_.Name) $($_.Status) $($_.FailReason)\" }}) -join '; ' }}");
        var o = r.SingleOutput();
        Assert.True(Equals(0, PsResult.Prop(o, "Backups")), $"backup {name} left: {PsResult.Prop(o, "Left")}");
        Assert.Equal("available", PsResult.Prop(o, "Volume"));
        var repository = Path.Combine(s.Home, "backup");
        var left = CinderBackup.Tests.Shared.RepositoryFiles.Of(repository);
        Assert.True(left.Count == 0, $"backup {name}: objects left: {string.Join(", ", left)}");
    }

    private static void AssertRestoreCancelled(ModuleSession s, string backup, string volume)
    {
        var o = s.Run($"[pscustomobject]@{{ Backup = (Get-VolumeBackup -Name {backup}).Status; Volume = (Get-BlockVolume -Name {volume}).Status }}").SingleOutput();
        Assert.Equal("available", PsResult.Prop(o, "Backup"));
        Assert.Equal("error", PsResult.Prop(o, "Volume"));
    }
}
