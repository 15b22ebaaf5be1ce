BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Get-BackupContext' {
    It 'defaults to the OS user in project default as admin' {
        $c = Get-BackupContext
        $c | Should -BeOfType ([CinderBackup.BackupContext])
        $c.ProjectName | Should -Be 'default'
        $c.IsAdmin | Should -BeTrue
        $c.ConfigFile | Should -Be $env:CINDERBACKUP_CONFIG
        $c.DataDirectory | Should -Be $env:CINDERBACKUP_HOME
    }

    It 'reads OS_PROJECT_NAME and OS_USERNAME' {
        $env:OS_PROJECT_NAME = 'envproject'
        $env:OS_USERNAME = 'envuser'
        try {
            $c = Get-BackupContext
            $c.ProjectName | Should -Be 'envproject'
            $c.UserName | Should -Be 'envuser'
            $c.IsAdmin | Should -BeFalse
        }
        finally {
            Remove-Item Env:OS_PROJECT_NAME, Env:OS_USERNAME
        }
    }

    It 'reports an invalid configuration file' {
        $config = Join-Path $script:testRoot 'bad.yaml'
        Set-Content -LiteralPath $config -Value 'no_such_option: 1'
        $saved = $env:CINDERBACKUP_CONFIG
        $env:CINDERBACKUP_CONFIG = $config
        try {
            { Get-BackupContext -ErrorAction Stop } | Should -Throw -ErrorId 'ConfigInvalid,CinderBackup.Commands.GetBackupContextCommand'
        }
        finally {
            $env:CINDERBACKUP_CONFIG = $saved
        }
    }
}
