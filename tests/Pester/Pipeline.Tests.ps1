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
}
