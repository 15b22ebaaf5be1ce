BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Get-BackupQuota' {
    It 'shows the default quotas' {
        $q = Get-BackupQuota
        $q | Should -BeOfType ([CinderBackup.BackupQuota])
        $q.ProjectName | Should -Be 'default'
        $q.Backups | Should -Be 10
        $q.BackupGigabytes | Should -Be 1000
        $q.IsDefault | Should -BeTrue
    }

    It 'shows usage like cinder quota-usage' {
        New-VolumeWithData -Name gbq-vol | New-VolumeBackup | Out-Null
        $usage = Get-BackupQuota -Usage
        ($usage | Where-Object Type -EQ 'backups').InUse | Should -Be 1
        ($usage | Where-Object Type -EQ 'backup_gigabytes').InUse | Should -Be 1
        ($usage | Where-Object Type -EQ 'backups').Limit | Should -Be 10
    }

    It 'refuses another project to non-administrators' {
        Set-BackupContext -ProjectName p1 -UserName u1 -Admin:$false
        try {
            (Get-BackupQuota).ProjectName | Should -Be 'p1'
            { Get-BackupQuota -ProjectName p2 -ErrorAction Stop } |
                Should -Throw -ErrorId 'PolicyNotAuthorized,CinderBackup.Commands.GetBackupQuotaCommand'
        }
        finally {
            Set-BackupContext -Reset
        }
    }
}
