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

    It 'limits volumes with Cinder''s texts, restores into a new volume included' {
        Set-BackupQuota -ProjectName default -Backups -1 -Volumes 2 -Gigabytes 3 | Out-Null
        $q = Get-BackupQuota
        $q.Volumes | Should -Be 2
        $q.Gigabytes | Should -Be 3
        New-BlockVolume -Name sbq-big -Size 3 -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'VolumeSizeExceedsAvailableQuota,CinderBackup.Commands.NewBlockVolumeCommand'
        $err[0].Exception.Message | Should -Be 'Requested volume or snapshot exceeds allowed gigabytes quota. Requested 3G, quota is 3G and 1G has been consumed.'
        $err[0].CategoryInfo.Category | Should -Be 'QuotaExceeded'
        Get-BlockVolume -Name sbq-big -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        New-BlockVolume -Name sbq-two -Size 1 | Out-Null
        $backup = Get-VolumeBackup | Select-Object -First 1
        { Restore-VolumeBackup -Backup $backup.Id -Name sbq-restored -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'VolumeLimitExceeded,CinderBackup.Commands.RestoreVolumeBackupCommand'
        Restore-VolumeBackup -Backup $backup.Id -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err | Out-Null
        $err[0].Exception.Message | Should -Be "Maximum number of volumes allowed (2) exceeded for quota 'volumes'."
        @(Get-BlockVolume).Count | Should -Be 2
        (Get-BackupQuota -Usage).Type | Should -Be @('backup_gigabytes', 'backups', 'gigabytes', 'volumes')
        (Get-BackupQuota -Usage | Where-Object Type -EQ 'volumes').InUse | Should -Be 2
        Set-BackupQuota -ProjectName default -Volumes -1 -Gigabytes -1 | Out-Null
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
