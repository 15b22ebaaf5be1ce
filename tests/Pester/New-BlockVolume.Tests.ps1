BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'New-BlockVolume' {
    It 'creates a sparse volume of the requested size' {
        $v = New-BlockVolume -Name nbv-data -Size 2 -Description 'data disk' -Metadata @{ tier = 'gold' }
        $v | Should -BeOfType ([CinderBackup.BlockVolume])
        $v.Name | Should -Be 'nbv-data'
        $v.Size | Should -Be 2
        $v.Status | Should -Be 'available'
        $v.Backend | Should -Be 'pool'
        $v.Metadata['tier'] | Should -Be 'gold'
        (Get-Item -LiteralPath $v.Path).Length | Should -Be 2GB
    }

    It 'binds Name and Size by property name' {
        $made = [pscustomobject]@{ Name = 'nbv-piped'; Size = 1 } | New-BlockVolume
        $made.Name | Should -Be 'nbv-piped'
    }

    It 'refuses a size of zero with a parameter validation error' {
        { New-BlockVolume -Name nbv-zero -Size 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,CinderBackup.Commands.NewBlockVolumeCommand'
        Get-BlockVolume -Name nbv-zero -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses names with control characters' {
        { New-BlockVolume -Name "bad`tname" -Size 1 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidName,CinderBackup.Commands.NewBlockVolumeCommand'
    }

    It 'changes nothing and emits nothing under -WhatIf' {
        $before = @(Get-BlockVolume).Count
        New-BlockVolume -Name nbv-whatif -Size 1 -WhatIf | Should -BeNullOrEmpty
        @(Get-BlockVolume).Count | Should -Be $before
    }
}
