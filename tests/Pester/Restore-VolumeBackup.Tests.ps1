BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:volume = New-VolumeWithData -Name rvb-src
    $script:backup = New-VolumeBackup -Volume rvb-src -Name rvb-full
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Restore-VolumeBackup' {
    It 'restores a piped backup to a new volume named like the source' {
        $r = Get-VolumeBackup -Name rvb-full | Restore-VolumeBackup -Confirm:$false
        $r | Should -BeOfType ([CinderBackup.BackupRestoreResult])
        $r.BackupId | Should -Be $script:backup.Id
        $r.VolumeName | Should -Be 'rvb-src'
        $restored = Get-BlockVolume -VolumeId $r.VolumeId
        $restored.Status | Should -Be 'available'
        $r.BytesRestored | Should -Be 1GB
        $r.BytesWritten | Should -BeGreaterOrEqual 3MB  # a new volume: the zeros are not written
        $r.ObjectsRead | Should -BeGreaterThan 0
        $r.Duration | Should -BeOfType ([TimeSpan])
        $r.Rate | Should -BeGreaterThan 0
        Get-FileHashHex -Path $restored.Path | Should -Be (Get-FileHashHex -Path $script:volume.Path)
    }

    It 'overwrites an existing volume with -Force' {
        New-BlockVolume -Name rvb-target -Size 1 | Out-Null
        $r = Restore-VolumeBackup -Backup rvb-full -Volume rvb-target -Force -Confirm:$false
        $r.VolumeName | Should -Be 'rvb-target'
        Get-FileHashHex -Path (Get-BlockVolume -Name rvb-target).Path | Should -Be (Get-FileHashHex -Path $script:volume.Path)
    }

    It 'refuses a target that is not available' {
        New-BlockVolume -Name rvb-busy -Size 1 | Mount-BlockVolume -InstanceId inst1 -Device /dev/vdd
        { Restore-VolumeBackup -Backup rvb-full -Volume rvb-busy -Force -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'VolumeInvalidState,CinderBackup.Commands.RestoreVolumeBackupCommand'
    }

    It 'changes nothing and emits nothing under -WhatIf' {
        $volumes = @(Get-BlockVolume).Count
        Restore-VolumeBackup -Backup rvb-full -WhatIf | Should -BeNullOrEmpty
        @(Get-BlockVolume).Count | Should -Be $volumes
    }

    It 'restores as a job' {
        $job = Restore-VolumeBackup -Backup rvb-full -Name rvb-from-job -AsJob -Confirm:$false
        $job | Wait-Job -Timeout 120 | Out-Null
        $job.State | Should -Be 'Completed'
        (Receive-Job -Job $job).VolumeName | Should -Be 'rvb-from-job'
        Remove-Job -Job $job
    }
}
