using System.Management.Automation;

namespace CinderBackup.PowerShell.Tests;

/// <summary>Write-Progress of long operations: a new record per update, throttled, a final Completed one; also in jobs.</summary>
public sealed class ProgressTests
{
    private const int ActivityId = 0x0C1D;

    // 24 MiB of data read at 8 MiB/s: about three seconds of progress.
    private const string Slow = "backup_io_bandwidth_limit: 8MiB\n";

    [Fact]
    public void BackupAndRestoreWriteANewGrowingRecordPerUpdateAndEndCompleted()
    {
        using var s = new ModuleSession(Slow);
        s.Run("New-TestVolume -Name slow -DataMiB 24 | Out-Null");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var backup = s.Run("New-VolumeBackup -Volume slow -Name b1");
        var seconds = watch.Elapsed.TotalSeconds;
        Assert.Equal("available", PsResult.Prop(backup.SingleOutput(), "Status"));
        CheckRecords(backup.Progress, seconds);

        File.WriteAllText(s.ConfigPath, "backup_file_size: 8MiB\n"); // the restore writes the whole volume: at full speed
        watch.Restart();
        var restore = s.Run("Restore-VolumeBackup -Backup b1 -Confirm:$false");
        restore.SingleOutput();
        CheckRecords(restore.Progress, watch.Elapsed.TotalSeconds, minimum: 1);
    }

    [Fact]
    public void AJobKeepsANewGrowingRecordPerUpdateAndACompletedOne()
    {
        using var s = new ModuleSession(Slow);
        s.Run("New-TestVolume -Name slow -DataMiB 24 | Out-Null");
        var r = s.Run("$j = New-VolumeBackup -Volume slow -Name bj -AsJob; $null = $j | Wait-Job -Timeout 120; $j.State; $j.Progress");
        Assert.True(r.AllErrors.Count == 0, r.Describe());
        Assert.Equal("Completed", r.Output[0].ToString());
        CheckRecords(r.Output.Skip(1).Select(o => (ProgressRecord)o.BaseObject).ToList(), seconds: 120);
    }

    /// <summary>
    /// Issue 20, item 1: while a backup runs, Status is Cinder's word (so <c>Where-Object Status -eq creating</c> finds it,
    /// and the table shows it bare) and ProgressPercent says how far it is, in bytes read over bytes to read.
    /// </summary>
    [Fact]
    public void ARunningBackupIsCreatingWithItsProgressApart()
    {
        using var s = new ModuleSession("backup_io_bandwidth_limit: 4MiB\n");
        s.Run("New-TestVolume -Name slow -DataMiB 24 | Out-Null");
        var r = s.Run("""
            $j = New-VolumeBackup -Volume slow -Name bp -AsJob
            $seen = $null
            $deadline = (Get-Date).AddSeconds(60)
            while (-not $seen -and (Get-Date) -lt $deadline) {
                $b = Get-VolumeBackup | Where-Object Status -eq 'creating'
                if ($b -and $null -ne $b.ProgressPercent) { $seen = $b } else { Start-Sleep -Milliseconds 100 }
            }
            $seen.Status
            $seen.ProgressPercent
            ($seen | Format-Table -View Progress | Out-String)
            $null = $j | Wait-Job -Timeout 120
            (Get-VolumeBackup -Name bp).Status
            $null -eq (Get-VolumeBackup -Name bp).ProgressPercent
            """);
        Assert.True(r.AllErrors.Count == 0, r.Describe());
        Assert.Equal("creating", r.Output[0].ToString());
        var percent = (double)r.Output[1].BaseObject;
        Assert.InRange(percent, 0.0, 70.0); // 24 MiB at 4 MiB/s: the first report comes after about a second
        var table = r.Output[2].ToString();
        Assert.Matches(@"creating +1 +[0-9.]+%", table);
        Assert.DoesNotContain("creating (", table);
        Assert.Equal("available", r.Output[3].ToString());
        Assert.Equal(true, r.Output[4].BaseObject);
    }

    private static void CheckRecords(IReadOnlyList<ProgressRecord> all, double seconds, int minimum = 2)
    {
        var records = all.Where(p => p.ActivityId == ActivityId).ToList();
        Assert.True(records.Count >= minimum + 1, $"only {records.Count} progress records");
        Assert.Equal(ProgressRecordType.Completed, records[^1].RecordType);
        var updates = records.SkipLast(1).ToList();
        Assert.All(updates, p => Assert.Equal(ProgressRecordType.Processing, p.RecordType));
        // Hosts and jobs keep the instances: one instance mutated would make every record read the last percentage.
        Assert.Equal(records.Count, records.Distinct(ReferenceEqualityComparer.Instance).Count());
        var percents = updates.Select(p => p.PercentComplete).ToList();
        Assert.True(percents.Zip(percents.Skip(1)).All(x => x.First <= x.Second), "percentages go down: " + string.Join(",", percents));
        Assert.True(percents.Distinct().Count() >= Math.Min(2, minimum), "percentages do not change: " + string.Join(",", percents));
        // Throttled to about four a second.
        Assert.True(updates.Count <= seconds * 4 + 2, $"{updates.Count} updates in {seconds:0.0} s");
    }
}
