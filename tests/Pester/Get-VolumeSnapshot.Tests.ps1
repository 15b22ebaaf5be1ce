BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:v1 = New-BlockVolume -Name gvs-one -Size 1
    $script:v2 = New-BlockVolume -Name gvs-two -Size 1
    $script:s1 = New-VolumeSnapshot -Volume gvs-one -Name gvs-snap-a
    $script:s2 = New-VolumeSnapshot -Volume gvs-two -Name gvs-snap-b
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Get-VolumeSnapshot' {
    It 'lists every snapshot' {
        (Get-VolumeSnapshot).Id | Should -Contain $script:s1.Id
        (Get-VolumeSnapshot).Id | Should -Contain $script:s2.Id
    }

    It 'lists the snapshots of piped volumes' {
        (Get-BlockVolume -Name gvs-two | Get-VolumeSnapshot).Id | Should -Be $script:s2.Id
    }

    It 'filters by name with wildcards' {
        (Get-VolumeSnapshot -Name 'gvs-snap-a*').Id | Should -Be $script:s1.Id
    }

    It 'reports an unknown name' {
        { Get-VolumeSnapshot -Name gvs-none -ErrorAction Stop } |
            Should -Throw -ErrorId 'SnapshotNotFound,CinderBackup.Commands.GetVolumeSnapshotCommand'
    }
}
