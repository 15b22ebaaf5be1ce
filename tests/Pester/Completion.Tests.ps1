BeforeAll {
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
        (Get-Completion 'Remove-BlockVolume -Volume cmp-i').CompletionText | Should -Be "'cmp it''s spaced'"
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

    It 'completes nothing, without an error, when nothing matches' {
        Get-Completion 'Get-BlockVolume -Name zzz-nothing' | Should -BeNullOrEmpty
    }
}
