BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Set-BackupQuota' {
    It 'sets limits and makes creates over them fail with Cinder''s text' {
        $q = Set-BackupQuota -ProjectName default -Backups 1 -BackupGigabytes -1 -PassThru
        $q.Backups | Should -Be 1
        $q.BackupGigabytes | Should -Be -1
        New-VolumeWithData -Name sbq-vol | Out-Null
        New-VolumeBackup -Volume sbq-vol | Out-Null
        { New-VolumeBackup -Volume sbq-vol -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackupLimitExceeded,CinderBackup.Commands.NewVolumeBackupCommand'
        New-VolumeBackup -Volume sbq-vol -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].Exception.Message | Should -Be 'Maximum number of backups allowed (1) exceeded'
        $err[0].CategoryInfo.Category | Should -Be 'QuotaExceeded'
    }

    It 'refuses a limit below the current usage' {
        { Set-BackupQuota -ProjectName default -Backups 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'QuotaInvalid,CinderBackup.Commands.SetBackupQuotaCommand'
    }

    It 'refuses values below -1 by parameter validation' {
        { Set-BackupQuota -ProjectName default -Backups -2 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,CinderBackup.Commands.SetBackupQuotaCommand'
    }

    It 'changes nothing and emits nothing under -WhatIf' {
        Set-BackupQuota -ProjectName other -Backups 3 -WhatIf -PassThru | Should -BeNullOrEmpty
        (Get-BackupQuota -ProjectName other).IsDefault | Should -BeTrue
    }
}
