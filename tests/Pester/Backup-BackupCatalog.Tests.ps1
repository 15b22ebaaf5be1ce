BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    New-VolumeWithData -Name bbc-vol | Out-Null
    New-VolumeBackup -Volume bbc-vol -Name bbc-backup | Out-Null
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Backup-BackupCatalog' {
    It 'writes a consistent copy and describes it' {
        $copy = Backup-BackupCatalog -Path $script:testRoot
        $copy | Should -BeOfType ([CinderBackup.CatalogCopy])
        $copy.Path | Should -BeLike (Join-Path $script:testRoot 'cinderbackup-catalog-*.db')
        $copy.Backups | Should -Be 1
        $copy.Volumes | Should -Be 1
        Test-Path -LiteralPath $copy.Path | Should -BeTrue
    }

    It 'replaces an existing file with -Force, and leaves it alone under -WhatIf' {
        $file = Join-Path $script:testRoot 'catalog-copy.db'
        Set-Content -LiteralPath $file -Value 'old'
        Backup-BackupCatalog -Path $file -Force -WhatIf
        Get-Content -LiteralPath $file | Should -Be 'old'
        (Backup-BackupCatalog -Path $file -Force).Path | Should -Be $file
        (Get-Item -LiteralPath $file).Length | Should -BeGreaterThan 4096
    }

    It 'writes nothing under -WhatIf' {
        $file = Join-Path $script:testRoot 'whatif.db'
        Backup-BackupCatalog -Path $file -WhatIf
        Test-Path -LiteralPath $file | Should -BeFalse
    }
}
