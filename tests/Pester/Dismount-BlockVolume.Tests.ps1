BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Dismount-BlockVolume' {
    It 'detaches a volume' {
        New-BlockVolume -Name dbv-one -Size 1 | Mount-BlockVolume -InstanceId inst1 -Device /dev/vdc
        $v = Get-BlockVolume -Name dbv-one | Dismount-BlockVolume -PassThru
        $v.Status | Should -Be 'available'
        $v.Attachments | Should -BeNullOrEmpty
    }

    It 'refuses a volume that is not attached' {
        { Dismount-BlockVolume -Volume dbv-one -ErrorAction Stop } |
            Should -Throw -ErrorId 'VolumeInvalidState,CinderBackup.Commands.DismountBlockVolumeCommand'
    }

    It 'changes nothing under -WhatIf' {
        Mount-BlockVolume -Volume dbv-one -InstanceId inst1 -Device /dev/vdc
        Dismount-BlockVolume -Volume dbv-one -WhatIf | Should -BeNullOrEmpty
        (Get-BlockVolume -Name dbv-one).Status | Should -Be 'in-use'
    }
}
