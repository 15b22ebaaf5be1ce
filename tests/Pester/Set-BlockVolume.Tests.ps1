BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Set-BlockVolume' {
    It 'renames and extends a volume from the pipeline' {
        $v = New-BlockVolume -Name sbv-one -Size 1
        $changed = $v | Set-BlockVolume -Name sbv-renamed -Description 'bigger' -Size 3 -PassThru
        $changed.Name | Should -Be 'sbv-renamed'
        $changed.Size | Should -Be 3
        (Get-Item -LiteralPath $v.Path).Length | Should -Be 3GB
    }

    It 'changes nothing when one part is refused (one engine call)' {
        $v = New-BlockVolume -Name sbv-whole -Size 1
        { $v | Set-BlockVolume -Name sbv-partial -Size 2 -State in-use -ErrorAction Stop } | Should -Throw -ErrorId 'VolumeStatusInvalid,CinderBackup.Commands.SetBlockVolumeCommand'
        $after = Get-BlockVolume -VolumeId $v.Id
        $after.Name | Should -Be 'sbv-whole'
        $after.Size | Should -Be 1
        $after.Status | Should -Be 'available'
    }

    It 'refuses to shrink with Cinder''s message' {
        New-BlockVolume -Name sbv-two -Size 2 | Out-Null
        { Set-BlockVolume -Volume sbv-two -Size 2 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidSize,CinderBackup.Commands.SetBlockVolumeCommand'
        (Get-BlockVolume -Name sbv-two).Size | Should -Be 2
    }

    It 'resets the state (admin), so a volume left error_restoring takes a restore again' {
        $v = New-BlockVolume -Name sbv-state -Size 1
        $v | Set-BlockVolume -State error_restoring
        (Get-BlockVolume -Name sbv-state).Status | Should -Be 'error_restoring'
        $v | Set-BlockVolume -State available -WhatIf
        (Get-BlockVolume -Name sbv-state).Status | Should -Be 'error_restoring'
        ($v | Set-BlockVolume -State available -PassThru).Status | Should -Be 'available'
        { $v | Set-BlockVolume -State deleting -ErrorAction Stop } | Should -Throw -ErrorId 'VolumeStatusInvalid,CinderBackup.Commands.SetBlockVolumeCommand'
        { $v | Set-BlockVolume -State sideways -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,CinderBackup.Commands.SetBlockVolumeCommand'
        Set-BackupContext -Admin:$false
        try {
            { $v | Set-BlockVolume -State error -ErrorAction Stop } | Should -Throw -ErrorId 'PolicyNotAuthorized,CinderBackup.Commands.SetBlockVolumeCommand'
        }
        finally {
            Set-BackupContext -Reset
        }
        (Get-BlockVolume -Name sbv-state).Status | Should -Be 'available'
    }

    It 'resets the state of several (-Volume a,b and the pipeline), reporting a missing one and doing the rest' {
        $a = New-BlockVolume -Name sbv-many-a -Size 1
        $b = New-BlockVolume -Name sbv-many-b -Size 1
        Set-BlockVolume -Volume nosuch, sbv-many-a, sbv-many-b -State error -ErrorAction SilentlyContinue -ErrorVariable err
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'VolumeNotFound,CinderBackup.Commands.SetBlockVolumeCommand'
        $err[0].TargetObject | Should -Be 'nosuch'
        (Get-BlockVolume -Name 'sbv-many-*').Status | Should -Be @('error', 'error')
        $set = Get-BlockVolume -Name 'sbv-many-*' | Set-BlockVolume -State available -PassThru
        $set.Id | Sort-Object | Should -Be (@($a.Id, $b.Id) | Sort-Object)
        (Get-BlockVolume -Name 'sbv-many-*').Status | Should -Be @('available', 'available')
        Set-BlockVolume -InputObject $a, $b -State error -WhatIf
        (Get-BlockVolume -Name 'sbv-many-*').Status | Should -Be @('available', 'available')
        Set-BlockVolume -InputObject $a, $b -State error
        (Get-BlockVolume -Name 'sbv-many-*').Status | Should -Be @('error', 'error')
    }

    It 'emits nothing without -PassThru and changes nothing under -WhatIf' {
        New-BlockVolume -Name sbv-three -Size 1 | Out-Null
        Set-BlockVolume -Volume sbv-three -Name sbv-other | Should -BeNullOrEmpty
        Set-BlockVolume -Volume sbv-other -Name sbv-never -WhatIf | Should -BeNullOrEmpty
        (Get-BlockVolume -Name sbv-other).Name | Should -Be 'sbv-other'
    }
}
