BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    New-VolumeWithData -Name gvb-a | Out-Null
    New-VolumeWithData -Name gvb-b -Seed 2 | Out-Null
    $script:ba = New-VolumeBackup -Volume gvb-a -Name gvb-backup-a
    $script:bb = New-VolumeBackup -Volume gvb-b -Name gvb-backup-b
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Get-VolumeBackup' {
    It 'lists every backup' {
        (Get-VolumeBackup).Id | Should -Contain $script:ba.Id
        (Get-VolumeBackup).Id | Should -Contain $script:bb.Id
    }

    It 'filters by name with wildcards and by status' {
        (Get-VolumeBackup -Name 'gvb-backup-a*').Id | Should -Be $script:ba.Id
        @(Get-VolumeBackup -Status available).Count | Should -Be 2
        Get-VolumeBackup -Status error | Should -BeNullOrEmpty
    }

    It 'lists the backups of piped volumes' {
        (Get-BlockVolume -Name gvb-b | Get-VolumeBackup).Id | Should -Be $script:bb.Id
    }

    It 'shows the repository, its identity and where it was, and the container' {
        $b = Get-VolumeBackup -Name gvb-backup-a
        $b.Repository | Should -Be 'default'
        $b.RepositoryLocation | Should -Be (Join-Path $env:CINDERBACKUP_HOME 'backup')
        $b.RepositoryId | Should -Match '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        $b.Container | Should -Not -BeNullOrEmpty
        $text = $b | Format-List | Out-String
        $text | Should -Match 'Repository\s+: default'
        $text | Should -Match ('RepositoryLocation\s+: ' + [regex]::Escape($b.RepositoryLocation))
        $text | Should -Match ('Container\s+: ' + [regex]::Escape($b.Container))
    }

    It "keeps the seeds' five columns in the default table; the Progress view adds the column" {
        $b = Get-VolumeBackup -Name gvb-backup-a
        $header = (($b | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1).Trim()
        $header | Should -Match '^ID\s+Name\s+Description\s+Status\s+Size$'
        $progress = (($b | Format-Table -View Progress | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1).Trim()
        $progress | Should -Match '^ID\s+Name\s+Description\s+Status\s+Size\s+Progress$'
    }

    It 'reports an unknown name' {
        { Get-VolumeBackup -Name gvb-none -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackupNotFound,CinderBackup.Commands.GetVolumeBackupCommand'
    }
}
