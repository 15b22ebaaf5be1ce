BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:one = New-BlockVolume -Name 'cmp-one' -Size 1
    $script:spaced = New-BlockVolume -Name "cmp it's spaced" -Size 1
    New-VolumeBackup -Volume cmp-one -Name 'cmp-nightly' | Out-Null

    function Get-Completion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches
    }
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Tab completion' {
    It 'completes volume names from the catalog' {
        (Get-Completion 'Get-BlockVolume -Name cmp-o').CompletionText | Should -Be 'cmp-one'
        (Get-Completion 'New-VolumeBackup -Volume cmp-o').CompletionText | Should -Be 'cmp-one'
    }

    It 'quotes names PowerShell would split' {
        # 'cmp' matches both volumes: the plain name as it is, the spaced one quoted.
        $texts = (Get-Completion 'Remove-BlockVolume -Volume cmp').CompletionText
        $texts | Should -Contain "'cmp it''s spaced'"
        $texts | Should -Contain 'cmp-one'
        (Get-Completion "Remove-BlockVolume -Volume 'cmp i").CompletionText | Should -Be "'cmp it''s spaced'"
    }

    It 'honours wildcards' {
        (Get-Completion 'Get-BlockVolume -Name *-one').CompletionText | Should -Be 'cmp-one'
    }

    It 'completes ids for -VolumeId and backups for -Backup' {
        (Get-Completion "Get-BlockVolume -VolumeId $($script:one.Id.Substring(0, 8))").CompletionText | Should -Be $script:one.Id
        (Get-Completion 'Restore-VolumeBackup -Backup cmp-n').CompletionText | Should -Be 'cmp-nightly'
    }

    It 'completes configured repository names' {
        (Get-Completion 'New-VolumeBackup -Volume cmp-one -Repository def').CompletionText | Should -Be 'default'
    }

    It 'completes statuses for -Status' {
        (Get-Completion 'Get-BlockVolume -Status av').CompletionText | Should -Be 'available'
        (Get-Completion 'Get-BlockVolume -Status error_r').CompletionText | Should -Be 'error_restoring'
        (Get-Completion 'Get-BlockVolume -Status ').CompletionText | Should -Contain 'in-use'
        (Get-Completion 'Get-VolumeBackup -Status rest').CompletionText | Should -Be 'restoring'
        (Get-Completion 'Get-VolumeBackup -Status ').CompletionText | Should -Not -Contain 'in-use'
    }

    It 'completes the hosts of the backup services' {
        $machine = [Environment]::MachineName
        # Only a backup service registers (issue 19): run one briefly on a thread job; its host stays listed (down).
        $module = Join-Path (Get-CinderBackupModulePath) 'CinderBackup.psd1'
        $service = Start-ThreadJob -ScriptBlock { Import-Module $using:module; Start-BackupService }
        try {
            $deadline = (Get-Date).AddSeconds(60)
            while (-not (Get-BackupService -HostName $machine)) {
                if ((Get-Date) -gt $deadline) { throw "the service did not start: $($service | Receive-Job -Keep | Out-String)" }
                Start-Sleep -Milliseconds 200
            }
        }
        finally {
            $service | Stop-Job
            $service | Remove-Job -Force
        }
        (Get-BackupService).Host | Should -Contain $machine
        (Get-Completion "Get-BackupService -HostName $($machine.Substring(0, 1))").CompletionText | Should -Contain $machine
        (Get-Completion "Get-BackupService $($machine.Substring(0, 1))").CompletionText | Should -Contain $machine
    }

    It 'completes project names: every project for an admin, its own only for anyone else' {
        Set-BackupContext -ProjectName cmp-project -UserName cmp-user -Admin:$false
        try {
            New-BlockVolume -Name cmp-theirs -Size 1 | Out-Null
            Set-BackupContext -ProjectName cmp-other -UserName cmp-user -Admin:$false
            (Get-Completion 'Get-BackupQuota -ProjectName ').CompletionText | Should -Be 'cmp-other'
        }
        finally {
            Set-BackupContext -Reset
        }
        (Get-Completion 'Get-BackupQuota -ProjectName cmp-').CompletionText | Should -Be 'cmp-project'
        $all = (Get-Completion 'Set-BackupContext -ProjectName ').CompletionText
        $all | Should -Contain 'default'
        $all | Should -Contain 'cmp-project'
        (Get-Completion 'Set-BackupQuota -ProjectName cmp-p').CompletionText | Should -Be 'cmp-project'
        (Get-Completion 'New-VolumeBackup -Volume cmp-one -ProjectName cmp-p').CompletionText | Should -Be 'cmp-project'
    }

    It 'completes nothing, without an error, when nothing matches' {
        Get-Completion 'Get-BlockVolume -Name zzz-nothing' | Should -BeNullOrEmpty
    }
}
