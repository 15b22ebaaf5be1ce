BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    New-VolumeWithData -Name rbc-vol | Out-Null
    $script:backup = New-VolumeBackup -Volume rbc-vol -Name rbc-backup
    $script:copy = Backup-BackupCatalog -Path (Join-Path $script:testRoot 'catalog-copy.db')
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Restore-BackupCatalog' {
    It 'brings back records lost since the copy and saves the catalog it replaces' {
        Remove-VolumeBackup -Backup rbc-backup -Confirm:$false
        Get-VolumeBackup -Name rbc-backup -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $restored = Get-Item -LiteralPath $script:copy.Path | Restore-BackupCatalog -Confirm:$false
        $restored | Should -BeOfType ([CinderBackup.CatalogCopy])
        Test-Path -LiteralPath $restored.PreviousCatalogPath | Should -BeTrue
        (Get-VolumeBackup -Name rbc-backup).Id | Should -Be $script:backup.Id
    }

    It 'refuses a file that is not a catalog and changes nothing' {
        $bad = Join-Path $script:testRoot 'not-a-catalog.db'
        Set-Content -LiteralPath $bad -Value 'hello'
        { Restore-BackupCatalog -Path $bad -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'CatalogBackupInvalid,CinderBackup.Commands.RestoreBackupCatalogCommand'
        (Get-VolumeBackup -Name rbc-backup).Id | Should -Be $script:backup.Id
    }

    It 'changes nothing under -WhatIf' {
        Remove-VolumeBackup -Backup rbc-backup -Confirm:$false
        Restore-BackupCatalog -Path $script:copy.Path -WhatIf
        Get-VolumeBackup -Name rbc-backup -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
