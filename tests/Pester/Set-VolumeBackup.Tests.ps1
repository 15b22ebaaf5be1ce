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
