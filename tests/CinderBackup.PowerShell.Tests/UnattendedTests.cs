using System.Management.Automation;
using System.Text.Json;

namespace CinderBackup.PowerShell.Tests;

/// <summary>
/// Unattended runs never hang or crash on a prompt. With -Force -Confirm:$false nothing prompts; where an action needs
/// -Force (Cinder's --force: back up or snapshot an attached volume; overwrite a volume) a host that cannot prompt
/// gets an error naming -Force, and a ShouldProcess prompt it cannot show an error naming -Confirm:$false; nothing
/// is changed. Proven in a hosted runspace (no host UI) and in real pwsh processes with standard input closed.
/// </summary>
public sealed class UnattendedTests
{
    /// <summary>
    /// The cases, as a script that prints one JSON line per case: its error (id, category, message, target) or its
    /// output, then the state that must not have changed.
    /// </summary>
    private const string Cases = """
        $ErrorActionPreference = 'Continue'
        function Show([string] $Case, [scriptblock] $Body) {
            $err = $null
            try { $out = & $Body 2>&1 } catch { $out = $_ }
            $e = @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })[0]
            [ordered]@{
                Case = $Case
                Id = if ($e) { $e.FullyQualifiedErrorId } else { $null }
                Category = if ($e) { "$($e.CategoryInfo.Category)" } else { $null }
                Message = if ($e) { $e.Exception.Message } else { $null }
                Exception = if ($e) { $e.Exception.GetType().FullName } else { $null }
                Target = if ($e) { "$($e.TargetObject)" } else { $null }
                Output = @($out | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] } | ForEach-Object { "$($_.Status)" })
                Backups = @(Get-VolumeBackup).Count
                Snapshots = @(Get-VolumeSnapshot).Count
                Volumes = (@(Get-BlockVolume | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Status)" }) -join ',')
            } | ConvertTo-Json -Compress
        }
        $att = New-TestVolume -Name att
        Mount-BlockVolume -Volume att -InstanceId inst1 -Device /dev/vdc | Out-Null
        $src = New-TestVolume -Name src
        New-TestVolume -Name over | Out-Null
        New-VolumeBackup -Volume src -Name b1 | Out-Null
        Show 'backup-attached' { New-VolumeBackup -Volume att -Name nb -Confirm:$false }
        Show 'snapshot-attached' { New-VolumeSnapshot -Volume att -Name ns -Confirm:$false }
        Show 'restore-over' { Restore-VolumeBackup -Backup b1 -Volume over -Confirm:$false }
        Show 'restore-confirm' { Restore-VolumeBackup -Backup b1 -Volume over -Force }
        Show 'create-confirm' { New-BlockVolume -Name nv -Size 1 -Confirm }
        Show 'backup-attached-force' { New-VolumeBackup -Volume att -Name fb -Force -Confirm:$false }
        Show 'snapshot-attached-force' { New-VolumeSnapshot -Volume att -Name fs -Force -Confirm:$false }
        Show 'restore-over-force' { Restore-VolumeBackup -Backup b1 -Volume over -Force -Confirm:$false }
        """;

    [Fact]
    public void InAHostedRunspaceWithoutAUi()
    {
        using var s = new ModuleSession();
        var r = s.Run(Cases);
        Assert.True(r.AllErrors.Count == 0, r.Describe());
        Check(r.Output.Select(o => o.ToString()).ToList());
    }

    [Fact]
    public void InPwshNonInteractiveWithStdinClosed() => InChildPwsh("-NonInteractive");

    /// <summary>An interactive pwsh whose input is closed: a prompt would read end-of-file (a NullReferenceException) or hang.</summary>
    [Fact]
    public void InPwshWithStdinClosed() => InChildPwsh(null);

    private static void InChildPwsh(string? nonInteractive)
    {
        using var s = new ModuleSession();
        var script = Path.Combine(s.Root, "cases.ps1");
        File.WriteAllText(script, $"Import-Module '{ModuleUnderTest.ManifestPath}' -ErrorAction Stop\n{ModuleSession.Helpers}\n{Cases}\n'done'\n");
        var args = new List<string> { "-NoProfile" };
        if (nonInteractive is not null)
        {
            args.Add(nonInteractive);
        }
        args.AddRange(new[] { "-File", script });
        var (code, output) = ChildPwsh.Run(args, timeoutSeconds: 180, s.ChildEnvironment);
        Assert.True(code == 0, $"exit code {code}:\n{output}");
        var lines = output.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains("done", lines);
        Check(lines.Where(l => l.StartsWith("{\"Case\"", StringComparison.Ordinal)).ToList());
    }

    private static void Check(IReadOnlyList<string> json)
    {
        var cases = json.Select(j => JsonDocument.Parse(j).RootElement).ToDictionary(e => e.GetProperty("Case").GetString()!);
        Assert.Equal(8, cases.Count);
        string? S(string c, string p) => cases[c].GetProperty(p).ValueKind == JsonValueKind.Null ? null : cases[c].GetProperty(p).ToString();
        const string unchanged = "att=in-use,over=available,src=available";

        // Needs -Force, and nobody can be asked: the error names -Force; nothing changes.
        Assert.Equal("VolumeInUse,CinderBackup.Commands.NewVolumeBackupCommand", S("backup-attached", "Id"));
        Assert.Equal("InvalidOperation", S("backup-attached", "Category"));
        Assert.Contains("add -Force", S("backup-attached", "Message"));
        Assert.StartsWith("Invalid volume: Backing up an in-use volume must use the force flag.", S("backup-attached", "Message"));
        Assert.Equal("VolumeInUse,CinderBackup.Commands.NewVolumeSnapshotCommand", S("snapshot-attached", "Id"));
        Assert.Contains("add -Force", S("snapshot-attached", "Message"));
        Assert.Equal("ConfirmationRequired,CinderBackup.Commands.RestoreVolumeBackupCommand", S("restore-over", "Id"));
        Assert.Contains("add -Force", S("restore-over", "Message"));
        // A ShouldProcess prompt (ConfirmImpact High) that cannot be shown names -Confirm:$false.
        Assert.Equal("ConfirmationRequired,CinderBackup.Commands.RestoreVolumeBackupCommand", S("restore-confirm", "Id"));
        Assert.Contains("-Confirm:$false", S("restore-confirm", "Message"));
        Assert.Equal("ConfirmationRequired,CinderBackup.Commands.NewBlockVolumeCommand", S("create-confirm", "Id"));
        Assert.Equal("Create volume on 'nv (1 GiB)' needs confirmation and this session cannot ask for it: add -Confirm:$false to go ahead.", S("create-confirm", "Message"));
        Assert.Equal("nv", S("create-confirm", "Target"));
        foreach (var c in new[] { "backup-attached", "snapshot-attached", "restore-over", "restore-confirm", "create-confirm" })
        {
            Assert.Equal("CinderBackup.Engine.Errors.CinderBackupException", S(c, "Exception"));
            Assert.Equal("1", S(c, "Backups"));
            Assert.Equal("0", S(c, "Snapshots"));
            Assert.Equal(unchanged, S(c, "Volumes"));
        }
        // The volume ids are the targets of the -Force refusals.
        Assert.Matches("^[0-9a-f-]{36}$", S("backup-attached", "Target"));
        Assert.Matches("^[0-9a-f-]{36}$", S("restore-over", "Target"));

        // With -Force -Confirm:$false nothing prompts and everything is done.
        Assert.Null(S("backup-attached-force", "Id"));
        Assert.Equal("[\"available\"]", S("backup-attached-force", "Output"));
        Assert.Null(S("snapshot-attached-force", "Id"));
        Assert.Equal("[\"available\"]", S("snapshot-attached-force", "Output"));
        Assert.Null(S("restore-over-force", "Id"));
        Assert.Equal("att=in-use,over=available,src=available", S("restore-over-force", "Volumes"));
    }
}
