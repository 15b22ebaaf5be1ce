BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    New-VolumeWithData -Name rmb-vol | Out-Null
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Remove-VolumeBackup' {
    It 'refuses to delete a backup with incremental children, with Cinder''s message' {
        $full = New-VolumeBackup -Volume rmb-vol -Name rmb-full
        New-VolumeBackup -Volume rmb-vol -Name rmb-inc -Incremental | Out-Null
        { Remove-VolumeBackup -Backup rmb-full -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackupHasDependents,CinderBackup.Commands.RemoveVolumeBackupCommand'
        Remove-VolumeBackup -Backup rmb-full -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].Exception.Message | Should -Be 'Invalid backup: Incremental backups exist for this backup.'
        $err[0].TargetObject | Should -Be $full.Id
    }

    It 'deletes a chain newest first from the pipeline' {
        Get-VolumeBackup -Volume rmb-vol | Sort-Object CreatedAt -Descending | Remove-VolumeBackup -Confirm:$false
        Get-VolumeBackup -Volume rmb-vol | Should -BeNullOrEmpty
    }

    It 'changes nothing under -WhatIf' {
        $b = New-VolumeBackup -Volume rmb-vol -Name rmb-kept
        Remove-VolumeBackup -InputObject $b -WhatIf | Should -BeNullOrEmpty
        (Get-VolumeBackup -Name rmb-kept).Status | Should -Be 'available'
    }
}
