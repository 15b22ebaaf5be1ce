BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Set-BackupContext' {
    AfterEach {
        Set-BackupContext -Reset
    }

    It 'sets the identity for later calls' {
        $c = Set-BackupContext -ProjectName demo -UserName alice -Admin:$false -PassThru
        $c.ProjectName | Should -Be 'demo'
        $c.UserName | Should -Be 'alice'
        $c.IsAdmin | Should -BeFalse
        $c.Source | Should -Be 'session'
        (Get-BackupContext).UserName | Should -Be 'alice'
    }

    It 'separates projects' {
        Set-BackupContext -ProjectName p1 -UserName u1 -Admin:$false
        New-BlockVolume -Name sbc-p1 -Size 1 | Out-Null
        Set-BackupContext -ProjectName p2 -UserName u2 -Admin:$false
        Get-BlockVolume -Name sbc-p1 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Set-BackupContext -ProjectName p1 -UserName u1 -Admin:$false
        (Get-BlockVolume -Name sbc-p1).Name | Should -Be 'sbc-p1'
    }

    It 'uses a configuration file' {
        $config = Join-Path $script:testRoot 'site.yaml'
        Set-Content -LiteralPath $config -Value 'storage_availability_zone: site-b'
        Set-BackupContext -ConfigPath $config
        (Get-BackupContext).ConfigFile | Should -Be $config
        (New-BlockVolume -Name sbc-zone -Size 1).AvailabilityZone | Should -Be 'site-b'
    }

    It 'refuses a configuration file that does not exist and keeps the old context' {
        Set-BackupContext -ProjectName kept -UserName kept
        { Set-BackupContext -ConfigPath (Join-Path $script:testRoot 'none.yaml') -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConfigNotFound,CinderBackup.Commands.SetBackupContextCommand'
        (Get-BackupContext).ProjectName | Should -Be 'kept'
    }

    It 'keeps an S3 credential for the session and forgets it on -Reset' {
        $config = Join-Path $script:testRoot 's3.yaml'
        Set-Content -LiteralPath $config -Value "backup_driver: s3`nbackup_s3_endpoint_url: http://127.0.0.1:1"
        $saved = $env:AWS_ACCESS_KEY_ID
        Remove-Item Env:AWS_ACCESS_KEY_ID -ErrorAction SilentlyContinue
        try {
            Set-BackupContext -ConfigPath $config
            (Get-BackupRepository -SkipCheck).CredentialSource | Should -BeNullOrEmpty
            $secret = ConvertTo-SecureString 'session-secret' -AsPlainText -Force
            Set-BackupContext -S3Credential ([pscredential]::new('SESSIONKEY', $secret))
            (Get-BackupRepository -SkipCheck).CredentialSource | Should -Be 'session'
            { Set-BackupContext -Reset -S3Credential ([pscredential]::new('x', $secret)) -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,CinderBackup.Commands.SetBackupContextCommand'
            Set-BackupContext -Reset
            Set-BackupContext -ConfigPath $config
            (Get-BackupRepository -SkipCheck).CredentialSource | Should -BeNullOrEmpty
        }
        finally {
            if ($saved) { $env:AWS_ACCESS_KEY_ID = $saved }
        }
    }

    It 'keeps a Keystone token for per_user Swift repositories for the session and forgets it on -Reset' {
        $config = Join-Path $script:testRoot 'swift.yaml'
        Set-Content -LiteralPath $config -Value "backup_driver: swift`nbackup_swift_auth: per_user`nbackup_swift_url: http://127.0.0.1:1/v1/AUTH_"
        $saved = $env:OS_AUTH_TOKEN
        Remove-Item Env:OS_AUTH_TOKEN -ErrorAction SilentlyContinue
        try {
            Set-BackupContext -ConfigPath $config
            (Get-BackupRepository -SkipCheck).CredentialSource | Should -BeNullOrEmpty
            Set-BackupContext -OsToken (ConvertTo-SecureString 'gAAAApestersessiontoken' -AsPlainText -Force)
            $r = Get-BackupRepository -SkipCheck
            $r.CredentialSource | Should -Be 'session or command line'
            ($r | Format-List * | Out-String) | Should -Not -Match 'pestersessiontoken'
            { Set-BackupContext -Reset -OsToken (ConvertTo-SecureString 'x' -AsPlainText -Force) -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,CinderBackup.Commands.SetBackupContextCommand'
            Set-BackupContext -Reset
            Set-BackupContext -ConfigPath $config
            (Get-BackupRepository -SkipCheck).CredentialSource | Should -BeNullOrEmpty
        }
        finally {
            if ($saved) { $env:OS_AUTH_TOKEN = $saved }
        }
    }

    It 'changes nothing and emits nothing under -WhatIf' {
        Set-BackupContext -ProjectName whatif -WhatIf -PassThru | Should -BeNullOrEmpty
        (Get-BackupContext).ProjectName | Should -Be 'default'
    }
}
