BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:multi = Join-Path $script:testRoot 'repositories.yaml'
    Set-Content -LiteralPath $script:multi -Value @"
backup_file_size: 8MiB
repositories:
  local:
    backup_posix_path: $(Join-Path $script:testRoot 'local-repo')
    default: true
  offsite:
    backup_driver: s3
    backup_s3_endpoint_url: http://127.0.0.1:1
    backup_s3_store_bucket: offsite-backups
    backup_s3_retry_max_attempts: 1
  share:
    backup_driver: nfs
    backup_share: nfsserver:/export/backups
    backup_mount_point_base: $(Join-Path $script:testRoot 'mnt')
    backup_mount_command: /bin/false
    backup_mount_attempts: 1
"@
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Get-BackupRepository' {
    AfterEach {
        Set-BackupContext -Reset
    }

    It 'shows the flat configuration as one reachable repository named default' {
        $r = @(Get-BackupRepository)
        $r.Count | Should -Be 1
        $r[0] | Should -BeOfType ([CinderBackup.BackupRepository])
        $r[0].Name | Should -Be 'default'
        $r[0].Driver | Should -Be 'posix'
        $r[0].Service | Should -Be 'cinder.backup.drivers.posix.PosixBackupDriver'
        $r[0].IsDefault | Should -BeTrue
        $r[0].Reachable | Should -BeTrue
        $r[0].Problem | Should -BeNullOrEmpty
        $r[0].ObjectSize | Should -Be 8MB
        $r[0].Location | Should -Be (Join-Path $env:CINDERBACKUP_HOME 'backup')
    }

    It 'lists named repositories, the default first, with what keeps each from being used' {
        Set-BackupContext -ConfigPath $script:multi
        $r = Get-BackupRepository
        ($r.Name -join ',') | Should -Be 'local,offsite,share'
        $r[0].IsDefault | Should -BeTrue
        $r[0].Reachable | Should -BeTrue
        $r[1].Driver | Should -Be 's3'
        $r[1].DefaultContainer | Should -Be 'offsite-backups'
        $r[1].Reachable | Should -BeFalse
        $r[1].Problem | Should -Match "Repository 'offsite' \(s3"
        $r[2].Driver | Should -Be 'nfs'
        $r[2].Share | Should -Be 'nfsserver:/export/backups'
        $r[2].Location | Should -BeLike '*4858fef37da8791bc7a13faf3adfead1'
        $r[2].Reachable | Should -BeFalse
        $r[2].Problem | Should -Match "cannot mount the share 'nfsserver:/export/backups'"
    }

    It 'filters by name with wildcards and from the pipeline' {
        Set-BackupContext -ConfigPath $script:multi
        (Get-BackupRepository -Name off* -SkipCheck).Name | Should -Be 'offsite'
        (('share', 'local' | Get-BackupRepository -SkipCheck).Name -join ',') | Should -Be 'share,local'
    }

    It 'does not contact the repositories with -SkipCheck' {
        Set-BackupContext -ConfigPath $script:multi
        $r = Get-BackupRepository -SkipCheck
        $r.Count | Should -Be 3
        $r | ForEach-Object { $_.Reachable | Should -BeNullOrEmpty }
    }

    It 'reports a name that is not configured' {
        Set-BackupContext -ConfigPath $script:multi
        { Get-BackupRepository -Name tape -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryNotFound,CinderBackup.Commands.GetBackupRepositoryCommand'
        $err = $null
        Get-BackupRepository -Name tape -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].Exception.Message | Should -BeLike "Repository 'tape' is not configured (configured: local, offsite, share*"
        $err[0].TargetObject | Should -Be 'tape'
    }

    It 'uses the session''s S3 credential and never shows it' {
        Set-BackupContext -ConfigPath $script:multi
        $secret = ConvertTo-SecureString 'pester-secret-key' -AsPlainText -Force
        Set-BackupContext -S3Credential ([pscredential]::new('PESTERACCESSKEY', $secret))
        $r = Get-BackupRepository -Name offsite -SkipCheck
        $r.CredentialSource | Should -Be 'session'
        ($r | Format-List * | Out-String) | Should -Not -Match 'pester-secret-key|PESTERACCESSKEY'
    }

    It 'refuses a configuration file with credentials that others may read' -Skip:$IsWindows {
        $config = Join-Path $script:testRoot 'open.yaml'
        Set-Content -LiteralPath $config -Value "backup_driver: s3`nbackup_s3_store_access_key: AKIAPESTER`nbackup_s3_store_secret_key: open-secret"
        chmod 644 $config
        { Set-BackupContext -ConfigPath $config -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConfigInsecure,CinderBackup.Commands.SetBackupContextCommand'
        chmod 600 $config
        Set-BackupContext -ConfigPath $config
        (Get-BackupRepository -SkipCheck).CredentialSource | Should -Be 'configuration file'
    }

    It 'names the repository when a backup cannot go there, and records nothing' {
        Set-BackupContext -ConfigPath $script:multi
        New-VolumeWithData -Name gbr-vol | Out-Null
        { New-VolumeBackup -Volume gbr-vol -Repository tape -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryNotFound,CinderBackup.Commands.NewVolumeBackupCommand'
        { New-VolumeBackup -Volume gbr-vol -Repository share -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryUnavailable,CinderBackup.Commands.NewVolumeBackupCommand'
        Get-VolumeBackup -Volume gbr-vol | Should -BeNullOrEmpty
        (Get-BlockVolume -Name gbr-vol).Status | Should -Be 'available'
    }

    It 'backs up to the named repository and remembers it' {
        Set-BackupContext -ConfigPath $script:multi
        New-VolumeWithData -Name gbr-local | Out-Null
        $b = New-VolumeBackup -Volume gbr-local -Repository local
        $b.Repository | Should -Be 'local'
        Test-Path -LiteralPath (Join-Path (Join-Path $script:testRoot 'local-repo') $b.Container) | Should -BeTrue
        (Get-VolumeBackup -Name $b.Id | Test-VolumeBackup).IsValid | Should -BeTrue
    }

    It 'declares the type it writes' {
        $command = Get-Command Get-BackupRepository
        $command.OutputType.Type | Should -Be ([CinderBackup.BackupRepository])
        (Get-BackupRepository -SkipCheck).GetType() | Should -Be ([CinderBackup.BackupRepository])
    }
}
