BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Pipelines across cmdlets' {
    It 'volume -> snapshot -> volume -> remove' {
        $made = 'pipe-a', 'pipe-b' | ForEach-Object { New-BlockVolume -Name $_ -Size 1 }
        $snapshots = $made | New-VolumeSnapshot -Name nightly
        @($snapshots).Count | Should -Be 2
        ($snapshots | Get-BlockVolume).Id | Sort-Object | Should -Be ($made.Id | Sort-Object)
        $snapshots | Remove-VolumeSnapshot -Confirm:$false
        $made | Remove-BlockVolume -Confirm:$false
        Get-BlockVolume -Name 'pipe-*' | Should -BeNullOrEmpty
    }

    It 'backup -> restore -> compare' {
        $volume = New-VolumeWithData -Name pipe-src -Seed 5
        $result = $volume | New-VolumeBackup -Name pipe-full | Restore-VolumeBackup -Confirm:$false
        $restored = Get-BlockVolume -VolumeId $result.VolumeId
        Get-FileHashHex -Path $restored.Path | Should -Be (Get-FileHashHex -Path $volume.Path)
    }

    It 'backup -> export record -> remove -> import record -> restore' {
        $volume = Get-BlockVolume -Name pipe-src
        $record = New-VolumeBackup -Volume pipe-src -Name pipe-rec | Export-BackupRecord
        Get-VolumeBackup -Name pipe-rec | Remove-VolumeBackup -Confirm:$false
        # The objects are gone with the backup, so take a new one and re-import over a deleted row only to
        # prove the record round trip; restoring needs the repository, checked by the other test.
        $imported = $record | Import-BackupRecord
        $imported.Id | Should -Be $record.BackupId
        ($imported | Test-VolumeBackup).IsValid | Should -BeFalse
        $imported | Remove-VolumeBackup -Confirm:$false
        $volume | Should -Not -BeNullOrEmpty
    }

    # Last: it throws the catalog away.
    It 'backup -> record files -> lost catalog -> Get-ChildItem | Import-BackupRecord -> restore -> compare' {
        $volume = New-VolumeWithData -Name pipe-files -Seed 7
        $backup = $volume | New-VolumeBackup -Name pipe-files-full
        $dir = Join-Path $script:testRoot 'pipe-records'
        New-Item -ItemType Directory -Path $dir | Out-Null
        Get-VolumeBackup -Name pipe-files-full | Export-BackupRecord -Path $dir
        $hash = Get-FileHashHex -Path $volume.Path
        Get-ChildItem -LiteralPath $env:CINDERBACKUP_HOME -Filter 'catalog.db*' | Remove-Item -Force
        $imported = Get-ChildItem -LiteralPath $dir -Filter *.yaml | Import-BackupRecord -Verify
        $imported.Id | Should -Be $backup.Id
        $result = $imported | Restore-VolumeBackup -Confirm:$false
        Get-FileHashHex -Path (Get-BlockVolume -VolumeId $result.VolumeId).Path | Should -Be $hash
    }
}
