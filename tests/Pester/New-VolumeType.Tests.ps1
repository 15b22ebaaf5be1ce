BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'New-VolumeType' {
    It 'creates a type that New-BlockVolume and Restore-VolumeBackup then use' {
        $t = New-VolumeType -Name nvt-io1 -Description 'High IOPS'
        $t | Should -BeOfType ([CinderBackup.VolumeType])
        $t.Name | Should -Be 'nvt-io1'
        $t.Description | Should -Be 'High IOPS'
        $t.IsPublic | Should -BeTrue
        $v = New-VolumeWithData -Name nvt-src
        (New-BlockVolume -Name nvt-vol -Size 1 -VolumeType nvt-io1).VolumeType | Should -Be 'nvt-io1'
        (Get-BlockVolume -Name nvt-vol | Format-List | Out-String) | Should -Match 'VolumeType\s+: nvt-io1'
        $b = New-VolumeBackup -Volume $v.Id -Name nvt-b
        $r = Restore-VolumeBackup -Backup $b.Id -Name nvt-restored -VolumeType $t.Id -Confirm:$false
        (Get-BlockVolume -VolumeId $r.VolumeId).VolumeType | Should -Be 'nvt-io1'
        (Get-BlockVolume -Name nvt-src).VolumeType | Should -Be '__DEFAULT__'
    }

    It 'binds Name and Description by property name, and records -Private' {
        $made = [pscustomobject]@{ Name = 'nvt-piped'; Description = 'from csv' } | New-VolumeType
        $made.Description | Should -Be 'from csv'
        (New-VolumeType -Name nvt-private -Private).IsPublic | Should -BeFalse
    }

    It 'refuses a name that exists with VolumeTypeExists, and makes nothing' {
        New-VolumeType -Name nvt-dup | Out-Null
        { New-VolumeType -Name nvt-dup } | Should -Throw -ErrorId 'VolumeTypeExists,CinderBackup.Commands.NewVolumeTypeCommand'
        @(Get-VolumeType -Name nvt-dup).Count | Should -Be 1
    }

    It 'refuses bad input and makes nothing' {
        { New-VolumeType -Name '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,CinderBackup.Commands.NewVolumeTypeCommand'
        { New-VolumeType -Name "bad`tname" } | Should -Throw -ErrorId 'InvalidName,CinderBackup.Commands.NewVolumeTypeCommand'
        { New-VolumeType -Name '   ' } | Should -Throw -ErrorId 'InvalidArgument,CinderBackup.Commands.NewVolumeTypeCommand'
        Get-VolumeType -Name 'bad*' | Should -BeNullOrEmpty
    }

    It 'is refused to a non-admin with PolicyNotAuthorized' {
        try {
            Set-BackupContext -ProjectName demo -UserName alice -Admin:$false
            { New-VolumeType -Name nvt-user } | Should -Throw -ErrorId 'PolicyNotAuthorized,CinderBackup.Commands.NewVolumeTypeCommand'
        }
        finally {
            Set-BackupContext -Reset
        }
        Get-VolumeType -Name nvt-user -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'changes nothing and emits nothing under -WhatIf' {
        New-VolumeType -Name nvt-whatif -WhatIf | Should -BeNullOrEmpty
        Get-VolumeType -Name nvt-whatif -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses an unknown -VolumeType on New-BlockVolume and Restore-VolumeBackup, making nothing' {
        $before = @(Get-BlockVolume).Count
        { New-BlockVolume -Name nvt-bad -Size 1 -VolumeType nope } | Should -Throw -ErrorId 'VolumeTypeNotFound,CinderBackup.Commands.NewBlockVolumeCommand'
        { Restore-VolumeBackup -Backup nvt-b -Name nvt-bad -VolumeType nope -Confirm:$false } | Should -Throw -ErrorId 'VolumeTypeNotFound,CinderBackup.Commands.RestoreVolumeBackupCommand'
        { Restore-VolumeBackup -Backup nvt-b -Volume nvt-vol -VolumeType nvt-io1 -Force -Confirm:$false } | Should -Throw -ErrorId 'InvalidArgument,CinderBackup.Commands.RestoreVolumeBackupCommand'
        @(Get-BlockVolume).Count | Should -Be $before
        (Get-VolumeBackup -Name nvt-b).Status | Should -Be 'available'
    }
}
