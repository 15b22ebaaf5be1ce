BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Remove-BlockVolume' {
    It 'deletes a volume and its image' {
        $v = New-BlockVolume -Name rbv-gone -Size 1
        $v | Remove-BlockVolume -Confirm:$false
        Test-Path -LiteralPath $v.Path | Should -BeFalse
        Get-BlockVolume -Name rbv-gone -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'keeps attached volumes and reports VolumeInUse with the volume as target' {
        $v = New-BlockVolume -Name rbv-busy -Size 1
        Mount-BlockVolume -Volume rbv-busy -InstanceId inst1 -Device /dev/vdc
        { Remove-BlockVolume -Volume rbv-busy -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'VolumeInUse,CinderBackup.Commands.RemoveBlockVolumeCommand'
        Remove-BlockVolume -Volume rbv-busy -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].TargetObject | Should -Be $v.Id
        (Get-BlockVolume -Name rbv-busy).Status | Should -Be 'in-use'
    }

    It 'reports an attached volume that has snapshots with the error id of the reason its message gives' {
        $v = New-BlockVolume -Name rbv-both -Size 1
        Mount-BlockVolume -Volume rbv-both -InstanceId inst2 -Device /dev/vdd
        New-VolumeSnapshot -Volume rbv-both -Name rbv-both-snap -Force | Out-Null
        $err = $null
        Remove-BlockVolume -Volume rbv-both -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -Be 'VolumeInUse,CinderBackup.Commands.RemoveBlockVolumeCommand'
        $err[0].Exception.Message | Should -BeLike "*(volume 'rbv-both' ($($v.Id)) is in-use (Attached to inst2 on /dev/vdd))"
        $err[0].TargetObject | Should -Be $v.Id
        Dismount-BlockVolume -Volume rbv-both
        Remove-BlockVolume -Volume rbv-both -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -Be 'VolumeHasSnapshots,CinderBackup.Commands.RemoveBlockVolumeCommand'
        $err[0].Exception.Message | Should -BeLike "*(volume 'rbv-both' ($($v.Id)) has 1 snapshot(s))"
        (Get-BlockVolume -VolumeId $v.Id).Status | Should -Be 'available'
    }

    It 'force-deletes a volume stuck in a status that allows no delete with -Force, for admins only' {
        $v = New-BlockVolume -Name rbv-stuck -Size 1
        Set-CatalogStatus -Table volumes -Id $v.Id -Status error_deleting
        # Without -Force it would ask first; this host cannot ask, so nothing happens.
        Remove-BlockVolume -Volume rbv-stuck -Confirm:$false -ErrorAction SilentlyContinue
        (Get-BlockVolume -VolumeId $v.Id).Status | Should -Be 'error_deleting'
        Set-BackupContext -UserName someone -Admin:$false
        try {
            { Remove-BlockVolume -Volume rbv-stuck -Force -Confirm:$false -ErrorAction Stop } |
                Should -Throw -ErrorId 'PolicyNotAuthorized,CinderBackup.Commands.RemoveBlockVolumeCommand'
        }
        finally {
            Set-BackupContext -Reset
        }
        Test-Path -LiteralPath $v.Path | Should -BeTrue
        (Remove-BlockVolume -Volume rbv-stuck -Force -Confirm:$false -PassThru).Id | Should -Be $v.Id
        Test-Path -LiteralPath $v.Path | Should -BeFalse
        Get-BlockVolume -VolumeId $v.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'continues the pipeline after a failing item' {
        New-BlockVolume -Name rbv-a -Size 1 | Out-Null
        $result = 'rbv-missing', 'rbv-a' | Remove-BlockVolume -Confirm:$false -PassThru -ErrorAction SilentlyContinue -ErrorVariable err
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'VolumeNotFound,CinderBackup.Commands.RemoveBlockVolumeCommand'
        $result.Name | Should -Be 'rbv-a'
    }

    It 'changes nothing under -WhatIf' {
        $v = New-BlockVolume -Name rbv-kept -Size 1
        Remove-BlockVolume -Volume rbv-kept -WhatIf | Should -BeNullOrEmpty
        Test-Path -LiteralPath $v.Path | Should -BeTrue
    }

    It 'only forgets a registered path' {
        $image = New-TestImage -Path (Join-Path $script:testRoot 'rbv.img')
        Register-BlockVolume -Name rbv-reg -LiteralPath $image | Remove-BlockVolume -Confirm:$false
        Test-Path -LiteralPath $image | Should -BeTrue
    }
}
