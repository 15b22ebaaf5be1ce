BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Get-BackupService' {
    It 'lists this host as an up cinder-backup service' {
        Get-BlockVolume | Out-Null
        $s = Get-BackupService | Where-Object Host -EQ ([Environment]::MachineName)
        $s | Should -BeOfType ([CinderBackup.BackupService])
        $s.Binary | Should -Be 'cinder-backup'
        $s.State | Should -Be 'up'
        $s.Status | Should -Be 'enabled'
    }

    It 'filters by host name with wildcards' {
        $machine = [Environment]::MachineName
        (Get-BackupService -HostName ($machine.Substring(0, 1) + '*')).Host | Should -Contain $machine
        (Get-BackupService -HostName $machine.ToUpperInvariant()).Host | Should -Contain $machine
        Get-BackupService -HostName 'no-such-host*' | Should -BeNullOrEmpty
    }
}
