BeforeDiscovery {
    # Throws (and so fails this file) when the built manifest declares fewer cmdlets than the module has: an empty
    # -ForEach would generate no test at all.
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:commandNames = Get-ExpectedCmdletName
}

BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
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

    It 'explains every example in a line after its code' {
        $examples = @($script:help.Examples.Example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            ($example.Remarks.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because "$($example.Title.Trim('- ')) of $($script:commandName) needs a line saying what it does"
        }
    }

    It 'documents exactly the parameters the cmdlet has, each with a description' {
        $own = @($script:command.Parameters.Keys | Where-Object { $_ -notin $script:common } | Sort-Object)
        $documented = @($script:help.Parameters.Parameter | ForEach-Object Name | Where-Object { $_ -notin $script:common } | Sort-Object)
        $documented | Should -Be $own -Because "the help of $($script:commandName) must list its parameters"
        foreach ($name in $own) {
            $parameterHelp = $script:help.Parameters.Parameter | Where-Object Name -EQ $name
            $parameterHelp | Should -Not -BeNullOrEmpty -Because "-$name of $($script:commandName) needs help"
            ($parameterHelp.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$name of $($script:commandName) needs a description"
        }
    }
}

Describe 'about_CinderBackup' {
    It 'is found by Get-Help' {
        (Get-Help about_CinderBackup | Out-String) | Should -Match 'ERROR IDS'
    }
}
