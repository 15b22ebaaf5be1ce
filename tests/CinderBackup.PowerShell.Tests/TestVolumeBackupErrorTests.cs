using System.Management.Automation;

namespace CinderBackup.PowerShell.Tests;

/// <summary>Test-VolumeBackup on an invalid backup: the result says IsValid false, and a non-terminating error says why.</summary>
public sealed class TestVolumeBackupErrorTests
{
    [Fact]
    public void AnInvalidBackupAlsoWritesAnErrorSoErrorActionStopStops()
    {
        using var s = new ModuleSession();
        var id = PsResult.Prop(s.Run("New-TestVolume -Name v | Out-Null; New-VolumeBackup -Volume v -Name b").SingleOutput(), "Id")!.ToString()!;
        var removed = Directory.GetFiles(Path.Combine(s.Home, "backup"), "*-00001", SearchOption.AllDirectories).Single();
        File.Delete(removed);

        var r = s.Run("Test-VolumeBackup -Backup b");
        Assert.Single(r.Output);
        Assert.Equal(false, PsResult.Prop(r.Output[0], "IsValid"));
        var problem = (string)PsResult.Prop(r.Output[0], "Problem")!;
        var error = r.SingleError();
        Assert.Equal("InvalidBackup,CinderBackup.Commands.TestVolumeBackupCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Equal(problem, error.Exception.Message);
        Assert.Contains(Path.GetFileName(removed), problem);
        Assert.Equal(id, error.TargetObject);

        // A runbook with -ErrorAction Stop stops there.
        var stop = s.Run("Test-VolumeBackup -Backup b -ErrorAction Stop; 'went on'");
        Assert.NotNull(stop.Terminating);
        Assert.StartsWith("InvalidBackup,", stop.Terminating!.FullyQualifiedErrorId);
        Assert.DoesNotContain(stop.Output, o => o.ToString() == "went on");

        // A valid backup writes no error.
        var ok = s.Run("New-VolumeBackup -Volume v -Name b2 | Test-VolumeBackup");
        Assert.Equal(true, PsResult.Prop(ok.SingleOutput(), "IsValid"));
    }
}
