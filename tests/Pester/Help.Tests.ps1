BeforeDiscovery {
    $script:commandNames = (Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../CinderBackup.psd1')).CmdletsToExport
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Help for <_>' -ForEach $script:commandNames {
    BeforeAll {
        $script:commandName = $_
        $script:help = Get-Help -Name $script:commandName -Full
        $script:command = Get-Command -Name $script:commandName
    }

    It 'has a synopsis' {
        $script:help.Synopsis | Should -Not -BeNullOrEmpty
        $script:help.Synopsis | Should -Not -Match '^\s*\S+-\S+\s*\[' -Because 'the synopsis must not be the generated syntax'
    }

    It 'has a description' {
        ($script:help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples, one of them a pipeline' {
        @($script:help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        (@($script:help.Examples.Example.Code) -join "`n") | Should -Match '\|'
    }

    It 'documents every parameter' {
        foreach ($name in $script:command.Parameters.Keys | Where-Object { $_ -notin $script:common }) {
            $parameterHelp = $script:help.Parameters.Parameter | Where-Object Name -EQ $name
            $parameterHelp | Should -Not -BeNullOrEmpty -Because "-$name of $($script:commandName) needs help"
            ($parameterHelp.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$name of $($script:commandName) needs a description"
        }
    }

    It 'documents no parameter the cmdlet does not have' {
        foreach ($p in $script:help.Parameters.Parameter) {
            $script:command.Parameters.Keys | Should -Contain $p.Name
        }
    }
}

Describe 'about_CinderBackup' {
    It 'is found by Get-Help' {
        (Get-Help about_CinderBackup | Out-String) | Should -Match 'ERROR IDS'
    }
}
