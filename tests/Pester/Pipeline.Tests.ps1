BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
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

    It 'backup -> export record -> remove -> import record' {
        $record = New-VolumeWithData -Name pipe-rec-src -Seed 6 | New-VolumeBackup -Name pipe-rec | Export-BackupRecord
        $record | Should -BeOfType ([CinderBackup.BackupRecord])
        Get-VolumeBackup -Name pipe-rec | Remove-VolumeBackup -Confirm:$false
        Get-VolumeBackup -Name pipe-rec -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        # Removing the backup deleted its objects: the record brings the backup back, not its data, and a test says
        # so (restoring from records is the last test's). -ErrorAction: an invalid backup may also be reported as an error.
        $imported = $record | Import-BackupRecord
        $imported.Id | Should -Be $record.BackupId
        $imported.Name | Should -Be 'pipe-rec'
        $check = $imported | Test-VolumeBackup -ErrorAction SilentlyContinue
        $check.IsValid | Should -BeFalse
        $check.Problem | Should -Not -BeNullOrEmpty
        $imported | Remove-VolumeBackup -Confirm:$false
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
