BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:volume = New-VolumeWithData -Name fbr-vol
    $script:full = New-VolumeBackup -Volume fbr-vol -Name fbr-full -Description 'first'
    $stream = [IO.File]::OpenWrite($script:volume.Path)
    try { $stream.Position = 100MB; $stream.Write([byte[]](1..200), 0, 200) } finally { $stream.Dispose() }
    $script:incremental = New-VolumeBackup -Volume fbr-vol -Name fbr-inc -Incremental
    $script:hash = Get-FileHashHex -Path $script:volume.Path
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Find-BackupRecord' {
    It 'finds every backup of the repository and knows they are in the catalog' {
        $found = @(Find-BackupRecord)
        $found.Count | Should -Be 2
        $found | Should -BeOfType ([CinderBackup.BackupRecord])
        ($found | Where-Object BackupId -EQ $script:incremental.Id).ParentId | Should -Be $script:full.Id
        ($found | Where-Object BackupId -EQ $script:full.Id).Description | Should -Be 'first'
        $found.InCatalog | Should -Not -Contain $false
        @(Find-BackupRecord -MissingOnly).Count | Should -Be 0
    }

    It 'rebuilds a lost catalog from the repository alone' {
        Get-ChildItem -LiteralPath $env:CINDERBACKUP_HOME -Filter 'catalog.db*' | Remove-Item -Force
        $imported = Find-BackupRecord -MissingOnly | Import-BackupRecord
        $imported.Id | Should -Be @($script:full.Id, $script:incremental.Id)
        $restored = Restore-VolumeBackup -Backup fbr-inc -Confirm:$false
        $volume = Get-BlockVolume -VolumeId $restored.VolumeId
        Get-FileHashHex -Path $volume.Path | Should -Be $script:hash
    }

    It 'warns about a backup that never finished and does not return it' {
        New-VolumeWithData -Name fbr-other -Seed 9 | Out-Null
        $b = New-VolumeBackup -Volume fbr-other -Name fbr-unfinished
        $repo = Join-Path $env:CINDERBACKUP_HOME 'backup'
        Remove-Item -LiteralPath (Join-Path (Join-Path $repo $b.Container) ($b.ServiceMetadata + '_metadata'))
        $warnings = $null
        $found = @(Find-BackupRecord -WarningVariable warnings -WarningAction SilentlyContinue)
        $found.BackupId | Should -Not -Contain $b.Id
        $warnings[0] | Should -Match 'no _metadata document'
    }

    It 'is refused to non-administrators' {
        Set-BackupContext -ProjectName default -UserName someone -Admin:$false
        try {
            { Find-BackupRecord -ErrorAction Stop } |
                Should -Throw -ErrorId 'PolicyNotAuthorized,CinderBackup.Commands.FindBackupRecordCommand'
        }
        finally {
            Set-BackupContext -Reset
        }
    }

    It 'says so, without an exception text, when the repository has never been written' {
        $empty = Join-Path $script:testRoot 'never-written.yaml'
        Set-Content -LiteralPath $empty -Value "repositories:`n  fresh:`n    backup_posix_path: ./fresh-repo`n"
        Set-BackupContext -ConfigPath $empty
        try {
            $err = $null
            Find-BackupRecord -Repository fresh -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'RepositoryUnavailable,CinderBackup.Commands.FindBackupRecordCommand'
            $err[0].Exception.Message | Should -BeLike "Repository 'fresh' has never been written: its directory '*fresh-repo' does not exist (the first backup makes it).*"
            $err[0].Exception.Message | Should -Not -Match 'Exception|   at '
        }
        finally {
            Set-BackupContext -Reset
        }
    }

    It 'names a repository that is not configured' {
        { Find-BackupRecord -Repository tape -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryNotFound,CinderBackup.Commands.FindBackupRecordCommand'
    }
}
