BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    New-BlockVolume -Name rvs-vol -Size 1 | Out-Null
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Remove-VolumeSnapshot' {
    It 'deletes piped snapshots and their images' {
        $s = New-VolumeSnapshot -Volume rvs-vol -Name rvs-one
        Get-VolumeSnapshot -Name rvs-one | Remove-VolumeSnapshot -Confirm:$false
        Test-Path -LiteralPath $s.Path | Should -BeFalse
        Get-VolumeSnapshot -Name rvs-one -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'lets the volume be deleted once its snapshots are gone' {
        New-VolumeSnapshot -Volume rvs-vol -Name rvs-two | Out-Null
        { Remove-BlockVolume -Volume rvs-vol -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'VolumeHasSnapshots,CinderBackup.Commands.RemoveBlockVolumeCommand'
        Remove-VolumeSnapshot -Snapshot rvs-two -Confirm:$false
        { Remove-BlockVolume -Volume rvs-vol -Confirm:$false -ErrorAction Stop } | Should -Not -Throw
    }

    It 'changes nothing under -WhatIf' {
        New-BlockVolume -Name rvs-vol2 -Size 1 | Out-Null
        $s = New-VolumeSnapshot -Volume rvs-vol2 -Name rvs-three
        Remove-VolumeSnapshot -InputObject $s -WhatIf | Should -BeNullOrEmpty
        Test-Path -LiteralPath $s.Path | Should -BeTrue
    }

    It 'force-deletes a snapshot stuck in error_deleting with -Force, for admins only' {
        $s = New-VolumeSnapshot -Volume rvs-vol2 -Name rvs-stuck
        Set-CatalogStatus -Table snapshots -Id $s.Id -Status error_deleting
        Remove-VolumeSnapshot -Snapshot rvs-stuck -Confirm:$false -ErrorAction SilentlyContinue
        (Get-VolumeSnapshot -SnapshotId $s.Id).Status | Should -Be 'error_deleting'
        Set-BackupContext -UserName someone -Admin:$false
        try {
            { Remove-VolumeSnapshot -Snapshot rvs-stuck -Force -Confirm:$false -ErrorAction Stop } |
                Should -Throw -ErrorId 'PolicyNotAuthorized,CinderBackup.Commands.RemoveVolumeSnapshotCommand'
        }
        finally {
            Set-BackupContext -Reset
        }
        (Remove-VolumeSnapshot -Snapshot rvs-stuck -Force -Confirm:$false -PassThru).Id | Should -Be $s.Id
        Test-Path -LiteralPath $s.Path | Should -BeFalse
    }

    It 'reports an unknown snapshot' {
        { Remove-VolumeSnapshot -Snapshot rvs-none -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'SnapshotNotFound,CinderBackup.Commands.RemoveVolumeSnapshotCommand'
    }
}
