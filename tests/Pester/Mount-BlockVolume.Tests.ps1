BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Mount-BlockVolume' {
    It 'marks a volume in-use by an instance on a device' {
        $v = New-BlockVolume -Name mbv-one -Size 1 | Mount-BlockVolume -InstanceId inst1 -Device /dev/vdc -PassThru
        $v.Status | Should -Be 'in-use'
        $v.AttachedTo | Should -Be 'Attached to inst1 on /dev/vdc'
    }

    It 'refuses a volume that is already attached' {
        { Mount-BlockVolume -Volume mbv-one -InstanceId inst2 -Device /dev/vdd -ErrorAction Stop } |
            Should -Throw -ErrorId 'VolumeInUse,CinderBackup.Commands.MountBlockVolumeCommand'
    }

    It 'changes nothing under -WhatIf' {
        New-BlockVolume -Name mbv-two -Size 1 | Out-Null
        Mount-BlockVolume -Volume mbv-two -InstanceId inst1 -Device /dev/vde -WhatIf | Should -BeNullOrEmpty
        (Get-BlockVolume -Name mbv-two).Status | Should -Be 'available'
    }
}
