BeforeAll {
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
