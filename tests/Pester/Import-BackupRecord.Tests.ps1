BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    New-VolumeWithData -Name ibr-vol | Out-Null
    $script:backup = New-VolumeBackup -Volume ibr-vol -Name ibr-backup
    $script:record = Export-BackupRecord -Backup ibr-backup
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Import-BackupRecord' {
    It 'refuses a backup that already exists, with Cinder''s message' {
        { $script:record | Import-BackupRecord -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackupExists,CinderBackup.Commands.ImportBackupRecordCommand'
    }

    It 're-creates a deleted backup from its record' {
        Remove-VolumeBackup -Backup ibr-backup -Confirm:$false
        $imported = $script:record | Import-BackupRecord
        $imported | Should -BeOfType ([CinderBackup.VolumeBackup])
        $imported.Id | Should -Be $script:backup.Id
        $imported.Status | Should -Be 'available'
    }

    It 'refuses a record that is not base64' {
        { Import-BackupRecord -BackupService '' -BackupUrl 'not-base64!' -ErrorAction Stop } |
            Should -Throw -ErrorId 'RecordInvalid,CinderBackup.Commands.ImportBackupRecordCommand'
    }

    It 'changes nothing under -WhatIf' {
        Remove-VolumeBackup -Backup ibr-backup -Confirm:$false
        $script:record | Import-BackupRecord -WhatIf | Should -BeNullOrEmpty
        Get-VolumeBackup -Name ibr-backup -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'imports into the repository named, and refuses one that is not configured' {
        { $script:record | Import-BackupRecord -Repository tape -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryNotFound,CinderBackup.Commands.ImportBackupRecordCommand'
        Get-VolumeBackup -Name ibr-backup -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $imported = $script:record | Import-BackupRecord -Repository default
        $imported.Repository | Should -Be 'default'
        ($imported | Test-VolumeBackup).IsValid | Should -BeTrue
    }
}
