BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    New-VolumeWithData -Name svb-vol | Out-Null
    $script:backup = New-VolumeBackup -Volume svb-vol -Name svb-backup
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Set-VolumeBackup' {
    It 'renames a piped backup' {
        $b = Get-VolumeBackup -Name svb-backup | Set-VolumeBackup -Name svb-renamed -Description 'kept' -PassThru
        $b.Name | Should -Be 'svb-renamed'
        $b.Description | Should -Be 'kept'
    }

    It 'resets the state to error and back' {
        (Set-VolumeBackup -Backup svb-renamed -State error -PassThru).Status | Should -Be 'error'
        (Set-VolumeBackup -Backup svb-renamed -State available -PassThru).Status | Should -Be 'available'
    }

    It 'resets the state of several (-Backup a,b and the pipeline), reporting a missing one and doing the rest' {
        New-VolumeWithData -Name svb-other | Out-Null
        $a = New-VolumeBackup -Volume svb-vol -Name svb-a
        $b = New-VolumeBackup -Volume svb-other -Name svb-b
        $set = Set-VolumeBackup -Backup svb-a, nosuch, svb-b -State error -PassThru -ErrorAction SilentlyContinue -ErrorVariable err
        $set.Id | Should -Be @($a.Id, $b.Id)
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'BackupNotFound,CinderBackup.Commands.SetVolumeBackupCommand'
        $err[0].TargetObject | Should -Be 'nosuch'
        (Get-VolumeBackup -BackupId $a.Id).Status | Should -Be 'error'
        (Get-VolumeBackup -BackupId $b.Id).Status | Should -Be 'error'
        Get-VolumeBackup -Name 'svb-[ab]' | Set-VolumeBackup -State available
        (Get-VolumeBackup -Name 'svb-[ab]').Status | Should -Be @('available', 'available')
        Set-VolumeBackup -InputObject $a, $b -State error
        (Get-VolumeBackup -Name 'svb-[ab]').Status | Should -Be @('error', 'error')
        Set-VolumeBackup -Backup $a.Id, $b.Id -State available -WhatIf
        (Get-VolumeBackup -Name 'svb-[ab]').Status | Should -Be @('error', 'error')
        Remove-VolumeBackup -InputObject $a, $b -Confirm:$false
    }

    It 'refuses other states by parameter validation' {
        { Set-VolumeBackup -Backup svb-renamed -State creating } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,CinderBackup.Commands.SetVolumeBackupCommand'
    }

    It 'refuses a reset to non-administrators' {
        Set-BackupContext -UserName someone -Admin:$false
        try {
            { Set-VolumeBackup -Backup svb-renamed -State error -ErrorAction Stop } |
                Should -Throw -ErrorId 'PolicyNotAuthorized,CinderBackup.Commands.SetVolumeBackupCommand'
        }
        finally {
            Set-BackupContext -Reset
        }
    }

    It 'changes nothing under -WhatIf' {
        Set-VolumeBackup -Backup svb-renamed -Name never -WhatIf | Should -BeNullOrEmpty
        (Get-VolumeBackup -BackupId $script:backup.Id).Name | Should -Be 'svb-renamed'
    }
}
