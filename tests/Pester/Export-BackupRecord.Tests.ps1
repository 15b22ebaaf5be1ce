BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    New-VolumeWithData -Name ebr-vol | Out-Null
    $script:backup = New-VolumeBackup -Volume ebr-vol -Name ebr-backup
    $script:incremental = New-VolumeBackup -Volume ebr-vol -Name ebr-incremental -Incremental
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

    It 'writes a record file in the format of openstack volume backup record export -f yaml' {
        $file = Join-Path $script:testRoot 'ebr-backup.yaml'
        Export-BackupRecord -Backup ebr-backup -Path $file | Should -BeNullOrEmpty
        $text = [IO.File]::ReadAllText($file)
        $text | Should -Match '^backup_service: cinder\.backup\.drivers\.posix\.PosixBackupDriver\nbackup_url: [A-Za-z0-9+/=]+\n$'
    }

    It 'does not replace a file under -NoClobber, and returns the records under -PassThru' {
        $file = Join-Path $script:testRoot 'kept.yaml'
        Set-Content -LiteralPath $file -Value 'precious'
        { Export-BackupRecord -Backup ebr-backup -LiteralPath $file -NoClobber -ErrorAction Stop } |
            Should -Throw -ErrorId 'FileExists,CinderBackup.Commands.ExportBackupRecordCommand'
        (Get-Content -LiteralPath $file) | Should -Be 'precious'
        $records = Export-BackupRecord -Backup ebr-backup -LiteralPath $file -PassThru
        $records.BackupId | Should -Be $script:backup.Id
        (Get-Content -LiteralPath $file -Raw) | Should -Match '^backup_service: '
    }

    It 'exports the parents an incremental needs, the full backup first' {
        $records = @(Export-BackupRecord -Backup ebr-incremental -IncludeParents)
        $records.BackupId | Should -Be @($script:backup.Id, $script:incremental.Id)
        $records[1].ParentId | Should -Be $script:backup.Id
    }

    It 'writes one file per backup into a directory' {
        $dir = Join-Path $script:testRoot 'records'
        New-Item -ItemType Directory -Path $dir | Out-Null
        Get-VolumeBackup -Volume ebr-vol | Export-BackupRecord -IncludeParents -Path $dir
        (Get-ChildItem -LiteralPath $dir -Filter *.yaml).BaseName | Sort-Object |
            Should -Be (@($script:backup.Id, $script:incremental.Id) | Sort-Object)
    }

    It 'makes the directory a path ending in / names, and refuses one that is a file' {
        $dir = Join-Path $script:testRoot 'new-records/nested'
        Get-VolumeBackup -Volume ebr-vol | Export-BackupRecord -IncludeParents -Path "$dir/" -Confirm:$false
        (Get-ChildItem -LiteralPath $dir -Filter *.yaml).BaseName | Sort-Object |
            Should -Be (@($script:backup.Id, $script:incremental.Id) | Sort-Object)
        $file = Join-Path $script:testRoot 'plain-file'
        Set-Content -LiteralPath $file -Value 'x'
        { Export-BackupRecord -Backup ebr-backup -Path "$file/" -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidPath,CinderBackup.Commands.ExportBackupRecordCommand'
        Get-Content -LiteralPath $file | Should -Be 'x'
        $whatIf = Join-Path $script:testRoot 'whatif-dir'
        Export-BackupRecord -Backup ebr-backup -Path "$whatIf/" -WhatIf
        Test-Path -LiteralPath $whatIf | Should -BeFalse
    }

    It 'writes and emits nothing under -WhatIf' {
        $file = Join-Path $script:testRoot 'whatif.yaml'
        Export-BackupRecord -Backup ebr-backup -Path $file -PassThru -WhatIf | Should -BeNullOrEmpty
        Test-Path -LiteralPath $file | Should -BeFalse
    }
}
