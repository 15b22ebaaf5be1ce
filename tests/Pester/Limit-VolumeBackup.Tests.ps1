BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    New-VolumeWithData -Name lvb-vol | Out-Null
    $script:full = New-VolumeBackup -Volume lvb-vol -Name lvb-full
    $script:inc = New-VolumeBackup -Volume lvb-vol -Name lvb-inc -Incremental
    $script:full2 = New-VolumeBackup -Volume lvb-vol -Name lvb-full2
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Limit-VolumeBackup' {
    It 'shows with -WhatIf what it would remove and removes nothing' {
        $d = @(Limit-VolumeBackup -KeepLast 2 -WhatIf)
        $d.Count | Should -Be 3
        $d[0] | Should -BeOfType ([CinderBackup.RetentionDecision])
        ($d | ForEach-Object { "$($_.BackupId) $($_.Action) $($_.Reason)" }) | Should -Be @(
            "$($script:full2.Id) keep last 1", "$($script:inc.Id) keep last 2", "$($script:full.Id) keep parent of $($script:inc.Id)")
        $w = @(Limit-VolumeBackup -KeepLast 1 -WhatIf)
        ($w | Where-Object Action -EQ 'remove').BackupId | Should -Be @($script:inc.Id, $script:full.Id)
        @(Get-VolumeBackup).Count | Should -Be 3
    }

    It 'refuses a policy without a rule, and a count below 1, changing nothing' {
        { Limit-VolumeBackup -Confirm:$false } | Should -Throw -ErrorId 'InvalidArgument,CinderBackup.Commands.LimitVolumeBackupCommand'
        { Limit-VolumeBackup -KeepDaily 0 -Confirm:$false } | Should -Throw -ErrorId 'ParameterArgumentValidationError,CinderBackup.Commands.LimitVolumeBackupCommand'
        { Limit-VolumeBackup -KeepLast 1 -Volume lvb-none -Confirm:$false } | Should -Throw -ErrorId 'VolumeNotFound,CinderBackup.Commands.LimitVolumeBackupCommand'
        @(Get-VolumeBackup).Count | Should -Be 3
    }

    It 'asks before each removal and cannot ask in a runbook without -Confirm:$false' {
        { Limit-VolumeBackup -KeepLast 1 } | Should -Throw -ErrorId 'ConfirmationRequired,CinderBackup.Commands.LimitVolumeBackupCommand'
        @(Get-VolumeBackup).Count | Should -Be 3
    }

    It 'removes newest first what the policy does not keep, from a piped volume' {
        $d = @(Get-BlockVolume -Name lvb-vol | Limit-VolumeBackup -KeepLast 1 -Confirm:$false)
        ($d | ForEach-Object { "$($_.BackupId) $($_.Action)" }) | Should -Be @(
            "$($script:full2.Id) keep", "$($script:inc.Id) removed", "$($script:full.Id) removed")
        (Get-VolumeBackup).Id | Should -Be $script:full2.Id
    }
}
