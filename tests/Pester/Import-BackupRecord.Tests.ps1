BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
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

    It 'reports a record it cannot read against the record, not against the message text' {
        $err = $null
        Import-BackupRecord -BackupService '' -BackupUrl 'not-base64!' -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'RecordInvalid,CinderBackup.Commands.ImportBackupRecordCommand'
        $err[0].Exception.Message | Should -BeLike 'Invalid input received: *'
        $err[0].TargetObject | Should -BeOfType ([CinderBackup.BackupRecord])
        $err[0].TargetObject.BackupUrl | Should -Be 'not-base64!'
        # Decoded, but Cinder's import refuses it (no id): found when the set is checked, still against the record.
        $noId = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('{"size": 1}'))
        [pscustomobject]@{ BackupService = ''; BackupUrl = $noId } | Import-BackupRecord -ErrorAction SilentlyContinue -ErrorVariable err
        $err.Count | Should -Be 1
        $err[0].Exception.Message | Should -Be 'Invalid input received: Provided backup record is missing an id'
        $err[0].TargetObject | Should -BeOfType ([CinderBackup.BackupRecord])
        $err[0].TargetObject.BackupUrl | Should -Be $noId
    }

    It 'changes nothing under -WhatIf' {
        Remove-VolumeBackup -Backup ibr-backup -Confirm:$false
        $script:record | Import-BackupRecord -WhatIf | Should -BeNullOrEmpty
        Get-VolumeBackup -Name ibr-backup -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'imports into the repository named, and refuses one that is not configured' {
        # A backup whose objects are still in the repository while the catalog has lost it: its container is put
        # back after Remove-VolumeBackup deleted it (as if the row alone had been lost).
        New-VolumeWithData -Name ibr-repo -Seed 3 | Out-Null
        $backup = New-VolumeBackup -Volume ibr-repo -Name ibr-repo-backup
        $record = Export-BackupRecord -Backup ibr-repo-backup
        $container = Join-Path (Join-Path $env:CINDERBACKUP_HOME 'backup') $backup.Container
        $saved = Join-Path $script:testRoot 'ibr-repo-container'
        Copy-Item -LiteralPath $container -Destination $saved -Recurse
        Remove-VolumeBackup -Backup ibr-repo-backup -Confirm:$false
        New-Item -ItemType Directory -Path $container -Force | Out-Null
        Copy-Item -Path (Join-Path $saved '*') -Destination $container
        { $record | Import-BackupRecord -Repository tape -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryNotFound,CinderBackup.Commands.ImportBackupRecordCommand'
        Get-VolumeBackup -Name ibr-repo-backup -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $imported = $record | Import-BackupRecord -Repository default
        $imported.Repository | Should -Be 'default'
        ($imported | Test-VolumeBackup -Deep).IsValid | Should -BeTrue
    }

    It 'imports record files from Get-ChildItem, parents first whatever the order' {
        New-VolumeWithData -Name ibr-chain -Seed 5 | Out-Null
        $full = New-VolumeBackup -Volume ibr-chain -Name ibr-full
        $incremental = New-VolumeBackup -Volume ibr-chain -Name ibr-inc -Incremental
        $dir = Join-Path $script:testRoot 'chain-records'
        New-Item -ItemType Directory -Path $dir | Out-Null
        # Named so that the incremental's file sorts first.
        Export-BackupRecord -Backup ibr-inc -LiteralPath (Join-Path $dir 'a.yaml')
        Export-BackupRecord -Backup ibr-full -LiteralPath (Join-Path $dir 'b.yaml')
        Remove-VolumeBackup -Backup ibr-inc -Confirm:$false
        Remove-VolumeBackup -Backup ibr-full -Confirm:$false
        # Deleting the backups removed their objects too: -Verify notices and nothing is imported.
        { Get-ChildItem -LiteralPath $dir -Filter *.yaml | Import-BackupRecord -Verify -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackupObjectMissing,CinderBackup.Commands.ImportBackupRecordCommand'
        Get-VolumeBackup -Name ibr-full -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        # Without -Verify, Cinder's behaviour: the records are accepted, parents first.
        $imported = Get-ChildItem -LiteralPath $dir -Filter *.yaml | Sort-Object Name | Import-BackupRecord
        $imported.Id | Should -Be @($full.Id, $incremental.Id)
    }

    It 'imports nothing when one record file is bad, naming the file and line' {
        $dir = Join-Path $script:testRoot 'bad-records'
        New-Item -ItemType Directory -Path $dir | Out-Null
        Remove-VolumeBackup -Backup ibr-backup -Confirm:$false -ErrorAction SilentlyContinue
        Set-Content -LiteralPath (Join-Path $dir 'good.yaml') -Value "backup_service: ''`nbackup_url: $($script:record.BackupUrl)"
        Set-Content -LiteralPath (Join-Path $dir 'bad.yaml') -Value "backup_service: s`n  backup_url: u"
        $errors = $null
        $warnings = $null
        Import-BackupRecord -Path (Join-Path $dir '*.yaml') -ErrorVariable errors -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue |
            Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -Be 'RecordFileInvalid,CinderBackup.Commands.ImportBackupRecordCommand'
        $errors[0].Exception.Message | Should -Match 'bad\.yaml'', line 2'
        $warnings[0] | Should -Match 'Nothing was imported'
        Get-VolumeBackup -Name ibr-backup -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'imports a name with control characters (as Cinder''s records may hold) and the views show them escaped' {
        $json = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($script:record.BackupUrl)) | ConvertFrom-Json -AsHashtable
        $id = [guid]::NewGuid().ToString()
        $json.service_metadata = $json.service_metadata.Replace($json.id, $id)
        $json.id = $id
        $json.display_name = "esc$([char]27)[31mred$([char]7)"
        $json.display_description = "two`nlines"
        $url = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes(($json | ConvertTo-Json -Compress)))
        $imported = Import-BackupRecord -BackupService '' -BackupUrl $url
        $imported.Name | Should -Be "esc$([char]27)[31mred$([char]7)"
        foreach ($text in @(
                ($imported | Format-Table | Out-String),
                ($imported | Format-List | Out-String),
                (Get-VolumeBackup -BackupId $id | Out-String))) {
            $text | Should -Not -Match '[\x00-\x09\x0b-\x1f\x7f-\x9f]'
            $text | Should -Match ([regex]::Escape('esc\u001b[31mred\u0007'))
        }
        ($imported | Format-List | Out-String) | Should -Match ([regex]::Escape('two\u000alines'))
        Remove-VolumeBackup -Backup $id -Confirm:$false
    }
}
