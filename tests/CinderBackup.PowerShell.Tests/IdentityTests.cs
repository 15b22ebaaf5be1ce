using System.Management.Automation;
using CinderBackup.Tests.Shared;

namespace CinderBackup.PowerShell.Tests;

/// <summary>Every cmdlet runs as the session's context (Set-BackupContext, -ProjectName/-UserName), on worker threads and in jobs too.</summary>
public sealed class IdentityTests
{
    private const string NonAdmin = "Set-BackupContext -ProjectName demo -UserName alice -Admin:$false";

    /// <summary>
    /// Each admin-only action, run as a non-admin of the project that owns the things it acts on. The set-up runs
    /// as the default identity (an admin) and leaves: volume v and backup b of project demo, a record of b in
    /// $record, a catalog copy at $copy, and a backup bj of demo still creating in job $j.
    /// </summary>
    public static TheoryData<string, string> AdminOnly => new()
    {
        { "Export-BackupRecord", "Export-BackupRecord -Backup b" },
        { "Import-BackupRecord", "$record | Import-BackupRecord -Confirm:$false" },
        { "Find-BackupRecord", "Find-BackupRecord" },
        { "Backup-BackupCatalog", "Backup-BackupCatalog -Path (Join-Path $root 'copy2.db') -Confirm:$false" },
        { "Restore-BackupCatalog", "Restore-BackupCatalog -Path $copy -Force -Confirm:$false" },
        { "Set-BackupQuota", "Set-BackupQuota -ProjectName demo -Backups 5 -Confirm:$false" },
        { "Get-BackupQuota -ProjectName", "Get-BackupQuota -ProjectName other" },
        { "Set-VolumeBackup -State", "Set-VolumeBackup -Backup b -State error -Confirm:$false" },
        { "Remove-VolumeBackup (force delete)", "Remove-VolumeBackup -Backup bj -Force -Confirm:$false" },
        { "Get-VolumeBackup -AllProjects", "Get-VolumeBackup -AllProjects" },
        { "Get-BlockVolume -AllProjects", "Get-BlockVolume -AllProjects" },
        { "Get-VolumeSnapshot -AllProjects", "Get-VolumeSnapshot -AllProjects" },
    };

    [Theory]
    [MemberData(nameof(AdminOnly))]
    public void AdminOnlyActionsRefuseANonAdmin(string action, string script)
    {
        using var s = new ModuleSession();
        var setUp = s.Run($"""
            $root = '{s.Root}'
            Set-BackupContext -ProjectName demo -UserName alice -Admin
            New-TestVolume -Name v | Out-Null
            New-TestVolume -Name slow -DataMiB 64 | Out-Null
            New-VolumeBackup -Volume v -Name b | Out-Null
            $record = Export-BackupRecord -Backup b
            $copy = (Backup-BackupCatalog -Path (Join-Path $root 'copy.db')).Path
            Add-Content -LiteralPath '{s.ConfigPath}' -Value 'backup_io_bandwidth_limit: 2MiB'
            $j = New-VolumeBackup -Volume slow -Name bj -AsJob
            {NonAdmin}
            """);
        Assert.True(setUp.AllErrors.Count == 0, setUp.Describe());
        var before = Snapshot(s);

        var r = s.Run(script);
        var error = r.SingleError();
        Assert.True(error.FullyQualifiedErrorId.StartsWith("PolicyNotAuthorized,", StringComparison.Ordinal), action + ": " + r.Describe());
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.StartsWith("Policy doesn't allow ", error.Exception.Message);
        Assert.Empty(r.Output);
        Assert.Equal(before, Snapshot(s));
        s.Run("Set-BackupContext -Reset; Stop-Job -Job $j");
    }

    /// <summary>Find-BackupRecord scans on a worker thread: it ran there as the default admin whatever the session said.</summary>
    [Fact]
    public void FindBackupRecordRunsAsTheSessionNotTheDefaultAdmin()
    {
        using var s = new ModuleSession();
        s.Run("New-TestVolume -Name v | Out-Null; New-VolumeBackup -Volume v -Name b | Out-Null").SingleErrorFree();
        var admin = s.Run("Find-BackupRecord");
        Assert.True(admin.AllErrors.Count == 0 && admin.Output.Count == 1, admin.Describe());
        var r = s.Run(NonAdmin + "; Find-BackupRecord");
        var e = r.SingleError();
        Assert.Equal("PolicyNotAuthorized,CinderBackup.Commands.FindBackupRecordCommand", e.FullyQualifiedErrorId);
    }

    /// <summary>A job runs as the session that started it, not as the default identity of its worker thread.</summary>
    [Fact]
    public void AJobRunsAsTheSessionThatStartedIt()
    {
        using var s = new ModuleSession();
        var r = s.Run(NonAdmin + """

            New-TestVolume -Name v | Out-Null
            $j = New-VolumeBackup -Volume v -Name bj -AsJob
            $null = $j | Wait-Job -Timeout 120
            $b = $j | Receive-Job
            [pscustomobject]@{ State = "$($j.State)"; Project = $b.ProjectId; User = $b.UserId; Status = $b.Status }
            """);
        var o = r.SingleOutput();
        Assert.Equal("Completed", PsResult.Prop(o, "State"));
        Assert.Equal("demo", PsResult.Prop(o, "Project"));
        Assert.Equal("alice", PsResult.Prop(o, "User"));
        Assert.Equal("available", PsResult.Prop(o, "Status"));
    }

    /// <summary>
    /// New-VolumeBackup -ProjectName/-UserName built its own engine options and dropped the session's S3 credential
    /// (Set-BackupContext -S3Credential): with no other credentials the backup failed "no S3 credentials". Jobs
    /// dropped it too.
    /// </summary>
    [Theory]
    [InlineData("")]
    [InlineData(" -AsJob")]
    public void ProjectNameKeepsTheSessionS3Credential(string asJob)
    {
        using var moto = new MotoServer();
        using var s = new ModuleSession($"backup_driver: s3\nbackup_s3_endpoint_url: {moto.Endpoint}\nbackup_s3_store_bucket: cbps-{Guid.NewGuid():N}\nbackup_s3_object_size: 1MiB\nbackup_s3_retry_max_attempts: 2\n");
        var r = s.Run($$"""
            $key = ConvertTo-SecureString -String '{{MotoServer.SecretKey}}' -AsPlainText -Force
            Set-BackupContext -ProjectName demo -UserName alice
            New-TestVolume -Name v | Out-Null
            Set-BackupContext -Reset
            Set-BackupContext -S3Credential ([pscredential]::new('{{MotoServer.AccessKey}}', $key))
            $b = New-VolumeBackup -Volume v -Name b -ProjectName demo -UserName alice{{asJob}}
            if ($b -is [System.Management.Automation.Job]) { $null = $b | Wait-Job -Timeout 120; $b = $b | Receive-Job }
            [pscustomobject]@{ Project = $b.ProjectId; User = $b.UserId; Status = $b.Status }
            """);
        var o = r.SingleOutput();
        Assert.Equal("demo", PsResult.Prop(o, "Project"));
        Assert.Equal("alice", PsResult.Prop(o, "User"));
        Assert.Equal("available", PsResult.Prop(o, "Status"));
    }

    private static string Snapshot(ModuleSession s)
    {
        var r = ModuleSession.Run(s.OpenRunspace(), """
            $q = Get-BackupQuota -ProjectName demo
            (@(Get-VolumeBackup -AllProjects | Sort-Object Id | ForEach-Object { "$($_.Id) $($_.Name) $($_.Status)" }) +
             @(Get-BlockVolume -AllProjects | Sort-Object Id | ForEach-Object { "$($_.Id) $($_.Status)" }) +
             "quota $($q.Backups) $($q.BackupGigabytes)") -join "`n"
            """);
        return r.SingleOutput().ToString();
    }
}
