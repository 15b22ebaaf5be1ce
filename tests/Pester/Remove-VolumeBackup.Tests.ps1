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

    It 'deletes a chain piped oldest first: incrementals before their parents, whatever the order' {
        New-VolumeBackup -Volume rmb-vol -Name rmb-o-full | Out-Null
        New-VolumeBackup -Volume rmb-vol -Name rmb-o-inc1 -Incremental | Out-Null
        New-VolumeBackup -Volume rmb-vol -Name rmb-o-inc2 -Incremental | Out-Null
        $gone = Get-VolumeBackup -Volume rmb-vol | Sort-Object CreatedAt | Remove-VolumeBackup -Confirm:$false -PassThru
        $gone.Name | Should -Be @('rmb-o-inc2', 'rmb-o-inc1', 'rmb-o-full')
        Get-VolumeBackup -Volume rmb-vol | Should -BeNullOrEmpty
    }

    It 'deletes -Id a,b,c in any order, reports a missing one, and still deletes the rest children first' {
        $full = New-VolumeBackup -Volume rmb-vol -Name rmb-i-full
        $inc1 = New-VolumeBackup -Volume rmb-vol -Name rmb-i-inc1 -Incremental
        $inc2 = New-VolumeBackup -Volume rmb-vol -Name rmb-i-inc2 -Incremental
        Remove-VolumeBackup -Id $inc1.Id, $full.Id, 'nosuch', $inc2.Id -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'BackupNotFound,CinderBackup.Commands.RemoveVolumeBackupCommand'
        $err[0].TargetObject | Should -Be 'nosuch'
        Get-VolumeBackup -Volume rmb-vol | Should -BeNullOrEmpty
    }

    It 'deletes none of several under -WhatIf' {
        New-VolumeBackup -Volume rmb-vol -Name rmb-w-full | Out-Null
        New-VolumeBackup -Volume rmb-vol -Name rmb-w-inc -Incremental | Out-Null
        Remove-VolumeBackup -Backup rmb-w-full, rmb-w-inc -WhatIf -PassThru | Should -BeNullOrEmpty
        @(Get-VolumeBackup -Volume rmb-vol).Count | Should -Be 2
        Get-VolumeBackup -Volume rmb-vol | Remove-VolumeBackup -Confirm:$false
    }

    It 'changes nothing under -WhatIf' {
        $b = New-VolumeBackup -Volume rmb-vol -Name rmb-kept
        Remove-VolumeBackup -InputObject $b -WhatIf | Should -BeNullOrEmpty
        (Get-VolumeBackup -Name rmb-kept).Status | Should -Be 'available'
    }
}
