BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:volume = New-BlockVolume -Name nvs-vol -Size 1
    $bytes = [byte[]]::new(1MB)
    [Random]::new(7).NextBytes($bytes)
    $stream = [IO.File]::OpenWrite($script:volume.Path)
    try { $stream.Write($bytes, 0, $bytes.Length) } finally { $stream.Dispose() }
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'New-VolumeSnapshot' {
    It 'takes a snapshot equal to the volume' {
        $s = $script:volume | New-VolumeSnapshot -Name nvs-one -Description 'first'
        $s | Should -BeOfType ([CinderBackup.VolumeSnapshot])
        $s.Status | Should -Be 'available'
        $s.VolumeId | Should -Be $script:volume.Id
        Get-FileHashHex -Path $s.Path | Should -Be (Get-FileHashHex -Path $script:volume.Path)
    }

    It 'needs -Force (or a confirmation) for an attached volume' {
        Mount-BlockVolume -Volume nvs-vol -InstanceId inst1 -Device /dev/vdc
        try {
            $s = New-VolumeSnapshot -Volume nvs-vol -Name nvs-attached -Force
            $s.Status | Should -Be 'available'
        }
        finally {
            Dismount-BlockVolume -Volume nvs-vol
        }
    }

    It 'refuses an unknown volume' {
        { New-VolumeSnapshot -Volume nvs-nothing -Name x -ErrorAction Stop } |
            Should -Throw -ErrorId 'VolumeNotFound,CinderBackup.Commands.NewVolumeSnapshotCommand'
    }

    It 'changes nothing under -WhatIf' {
        $before = @(Get-VolumeSnapshot).Count
        New-VolumeSnapshot -Volume nvs-vol -Name nvs-whatif -WhatIf | Should -BeNullOrEmpty
        @(Get-VolumeSnapshot).Count | Should -Be $before
    }
}
