BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:commands = @(Get-Command -Module CinderBackup)
    # Every loop below checks these: an empty list would pass having checked nothing.
    $expected = Get-ExpectedCmdletName
    if ($script:commands.Count -ne $expected.Count) {
        throw "Get-Command -Module CinderBackup finds $($script:commands.Count) commands; the manifest declares $($expected.Count)."
    }
    $script:readOnlyVerbs = 'Get', 'Test', 'Find', 'Wait', 'Measure', 'Compare', 'Resolve', 'Search', 'Show', 'Watch'
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'CinderBackup conventions' {
    It 'uses approved verbs only' {
        $approved = (Get-Verb).Verb
        foreach ($c in $script:commands) {
            $approved | Should -Contain $c.Verb -Because "$($c.Name) must use an approved verb"
        }
    }

    It 'uses singular nouns' {
        foreach ($c in $script:commands) {
            $c.Noun | Should -Not -Match '[^s]s$' -Because "$($c.Name) should have a singular noun"
        }
    }

    It 'declares SupportsShouldProcess on every mutator' {
        $mutators = @($script:commands | Where-Object Verb -NotIn $script:readOnlyVerbs)
        $mutators.Count | Should -BeGreaterOrEqual 15 -Because 'New, Set, Remove, Mount, Restore, Import, ... cmdlets change state'
        foreach ($c in $mutators) {
            $c.Parameters.Keys | Should -Contain 'WhatIf' -Because "$($c.Name) changes state"
            $c.Parameters.Keys | Should -Contain 'Confirm' -Because "$($c.Name) changes state"
        }
    }

    It 'declares an OutputType in the CinderBackup namespace on every cmdlet' {
        foreach ($c in $script:commands) {
            $c.OutputType.Count | Should -BeGreaterThan 0 -Because "$($c.Name) needs [OutputType]"
            foreach ($t in $c.OutputType) {
                $t.Type.Namespace | Should -Be 'CinderBackup'
            }
        }
    }

    It 'OutputType matches what the cmdlets really emit' {
        $volume = New-BlockVolume -Name conventions -Size 1
        (Get-Command New-BlockVolume).OutputType.Type | Should -Contain $volume.GetType()
        (Get-Command Get-BlockVolume).OutputType.Type | Should -Contain (Get-BlockVolume -Name conventions).GetType()
        $snapshot = New-VolumeSnapshot -Volume conventions -Name conventions-snap
        (Get-Command New-VolumeSnapshot).OutputType.Type | Should -Contain $snapshot.GetType()
        (Get-Command Get-BackupContext).OutputType.Type | Should -Contain (Get-BackupContext).GetType()
        Remove-VolumeSnapshot -InputObject $snapshot -Confirm:$false
        Remove-BlockVolume -InputObject $volume -Confirm:$false
    }

    It 'gives every Remove cmdlet the same -Force: force-delete without asking' {
        $removers = @($script:commands | Where-Object Verb -EQ 'Remove')
        $removers.Count | Should -BeGreaterOrEqual 3
        foreach ($c in $removers) {
            $c.Parameters.Keys | Should -Contain 'Force' -Because "$($c.Name) deletes, and what cannot be deleted normally is force-deleted with -Force"
            $c.Parameters['Force'].ParameterType | Should -Be ([System.Management.Automation.SwitchParameter])
        }
    }

    It 'has ConfirmImpact High on Remove and Restore cmdlets' {
        $destructive = @($script:commands | Where-Object Verb -In 'Remove', 'Restore')
        $destructive.Name | Should -Contain 'Remove-VolumeBackup'
        $destructive.Count | Should -BeGreaterOrEqual 5
        foreach ($c in $destructive) {
            $attribute = $c.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
            $attribute.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::High)
        }
    }
}
