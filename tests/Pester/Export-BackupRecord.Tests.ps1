BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    New-VolumeWithData -Name ebr-vol | Out-Null
    $script:backup = New-VolumeBackup -Volume ebr-vol -Name ebr-backup
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Export-BackupRecord' {
    It 'exports Cinder''s record for a piped backup' {
        $record = Get-VolumeBackup -Name ebr-backup | Export-BackupRecord
        $record | Should -BeOfType ([CinderBackup.BackupRecord])
        $record.BackupService | Should -Be 'cinder.backup.drivers.posix.PosixBackupDriver'
        $record.BackupId | Should -Be $script:backup.Id
        $json = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($record.BackupUrl)) | ConvertFrom-Json
        $json.id | Should -Be $script:backup.Id
        $json.display_name | Should -Be 'ebr-backup'
    }

    It 'is refused to non-administrators' {
        Set-BackupContext -ProjectName default -UserName someone -Admin:$false
        try {
            { Export-BackupRecord -Backup $script:backup.Id -ErrorAction Stop } |
                Should -Throw -ErrorId 'PolicyNotAuthorized,CinderBackup.Commands.ExportBackupRecordCommand'
        }
        finally {
            Set-BackupContext -Reset
        }
    }
}
