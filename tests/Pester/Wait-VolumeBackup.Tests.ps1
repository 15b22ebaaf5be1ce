BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    New-VolumeWithData -Name wvb-vol | Out-Null
}

AfterAll {
    Get-Job | Where-Object PSJobTypeName -EQ 'CinderBackupJob' | Remove-Job -Force
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Wait-VolumeBackup' {
    It 'waits for a backup running as a job and returns it available' {
        $job = New-VolumeBackup -Volume wvb-vol -Name wvb-job -AsJob
        $job | Should -BeOfType ([System.Management.Automation.Job])
        $waited = Get-VolumeBackup -Name wvb-job | Wait-VolumeBackup -Timeout 120
        $waited.Status | Should -Be 'available'
        $job | Wait-Job -Timeout 120 | Out-Null
        $job.State | Should -Be 'Completed'
        $result = Receive-Job -Job $job
        $result.Id | Should -Be $waited.Id
    }

    It 'returns at once for a backup that is not busy' {
        (Wait-VolumeBackup -Backup wvb-job -Timeout 5).Status | Should -Be 'available'
    }

    It 'reports an unknown backup' {
        { Wait-VolumeBackup -Backup wvb-none -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackupNotFound,CinderBackup.Commands.WaitVolumeBackupCommand'
    }
}
