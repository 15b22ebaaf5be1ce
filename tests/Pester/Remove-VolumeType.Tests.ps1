BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Remove-VolumeType' {
    It 'deletes piped types by their Id, and -PassThru returns them' {
        New-VolumeType -Name rvt-a | Out-Null
        New-VolumeType -Name rvt-b | Out-Null
        $gone = Get-VolumeType -Name 'rvt-*' | Remove-VolumeType -Confirm:$false -PassThru
        $gone.Name | Sort-Object | Should -Be @('rvt-a', 'rvt-b')
        $gone | Should -BeOfType ([CinderBackup.VolumeType])
        Get-VolumeType -Name 'rvt-*' | Should -BeNullOrEmpty
    }

    It 'deletes several by name or ID, and -Force skips the question' {
        $c = New-VolumeType -Name rvt-c
        New-VolumeType -Name rvt-d | Out-Null
        Remove-VolumeType -VolumeType $c.Id, 'rvt-d' -Force
        Get-VolumeType -Name 'rvt-*' | Should -BeNullOrEmpty
    }

    It 'keeps a type a volume has (VolumeTypeInUse) and goes on with the others' {
        $used = New-VolumeType -Name rvt-used
        New-VolumeType -Name rvt-free | Out-Null
        New-BlockVolume -Name rvt-vol -Size 1 -VolumeType rvt-used | Out-Null
        Remove-VolumeType -VolumeType rvt-used, rvt-free -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'VolumeTypeInUse,CinderBackup.Commands.RemoveVolumeTypeCommand'
        $err[0].Exception.Message | Should -Be "Volume Type $($used.Id) deletion is not allowed with volumes present with the type."
        (Get-VolumeType -Name 'rvt-*').Name | Should -Be 'rvt-used'
        Remove-BlockVolume -Volume rvt-vol -Confirm:$false
        Remove-VolumeType -VolumeType rvt-used -Force
        Get-VolumeType -Name 'rvt-*' | Should -BeNullOrEmpty
    }

    It 'never deletes __DEFAULT__, even with -Force' {
        { Remove-VolumeType -VolumeType __DEFAULT__ -Force } | Should -Throw -ErrorId 'InvalidArgument,CinderBackup.Commands.RemoveVolumeTypeCommand'
        (Get-VolumeType -Name __DEFAULT__).Name | Should -Be '__DEFAULT__'
    }

    It 'reports an unknown type with VolumeTypeNotFound' {
        { Remove-VolumeType -VolumeType nope -Force } | Should -Throw -ErrorId 'VolumeTypeNotFound,CinderBackup.Commands.RemoveVolumeTypeCommand'
    }

    It 'changes nothing under -WhatIf, even with -Force' {
        New-VolumeType -Name rvt-whatif | Out-Null
        Remove-VolumeType -VolumeType rvt-whatif -WhatIf -PassThru | Should -BeNullOrEmpty
        Remove-VolumeType -VolumeType rvt-whatif -Force -WhatIf -PassThru | Should -BeNullOrEmpty
        (Get-VolumeType -Name rvt-whatif).Name | Should -Be 'rvt-whatif'
    }

    It 'asks for confirmation by default: a session that cannot ask gets ConfirmationRequired and nothing is deleted' {
        New-VolumeType -Name rvt-ask | Out-Null
        { Remove-VolumeType -VolumeType rvt-ask } | Should -Throw -ErrorId 'ConfirmationRequired,CinderBackup.Commands.RemoveVolumeTypeCommand'
        (Get-VolumeType -Name rvt-ask).Name | Should -Be 'rvt-ask'
    }

    It 'is refused to a non-admin with PolicyNotAuthorized' {
        New-VolumeType -Name rvt-admin | Out-Null
        try {
            Set-BackupContext -ProjectName demo -UserName alice -Admin:$false
            { Remove-VolumeType -VolumeType rvt-admin -Force } | Should -Throw -ErrorId 'PolicyNotAuthorized,CinderBackup.Commands.RemoveVolumeTypeCommand'
        }
        finally {
            Set-BackupContext -Reset
        }
        (Get-VolumeType -Name rvt-admin).Name | Should -Be 'rvt-admin'
    }
}
