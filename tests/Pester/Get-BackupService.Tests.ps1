BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:modulePath = Join-Path (Get-CinderBackupModulePath) 'CinderBackup.psd1'
    # Only a backup service registers (issue 19): one runs on a thread job of this process, with this machine's name.
    $script:service = Start-ThreadJob -ScriptBlock {
        Import-Module $using:modulePath
        Start-BackupService -InformationAction Continue
    }
    $deadline = (Get-Date).AddSeconds(60)
    while (-not (Get-BackupService | Where-Object { $_.Host -eq [Environment]::MachineName -and $_.State -eq 'up' })) {
        if ((Get-Date) -gt $deadline) { throw "the service did not start: $($script:service | Receive-Job -Keep | Out-String)" }
        Start-Sleep -Milliseconds 200
    }
}

AfterAll {
    if ($script:service) { $script:service | Stop-Job; $script:service | Remove-Job -Force }
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Get-BackupService' {
    It 'lists the host of a running Start-BackupService as an up cinder-backup service' {
        $s = Get-BackupService | Where-Object Host -EQ ([Environment]::MachineName)
        $s | Should -BeOfType ([CinderBackup.BackupService])
        $s.Binary | Should -Be 'cinder-backup'
        $s.State | Should -Be 'up'
        $s.Status | Should -Be 'enabled'
        $s.Zone | Should -Be 'nova'
    }

    It 'filters by host name with wildcards' {
        $machine = [Environment]::MachineName
        (Get-BackupService -HostName ($machine.Substring(0, 1) + '*')).Host | Should -Contain $machine
        (Get-BackupService -HostName $machine.ToUpperInvariant()).Host | Should -Contain $machine
        Get-BackupService -HostName 'no-such-host*' | Should -BeNullOrEmpty
    }

    It 'hands -AsJob backups to the service, which does them' {
        New-VolumeWithData -Name svc-vol | Out-Null
        $job = New-VolumeBackup -Volume svc-vol -Name svc-b -AsJob
        $b = $job | Wait-Job -Timeout 120 | Receive-Job
        # A failure says what the job, the backup and the service were doing (CI keeps only this output).
        $state = { "job $($job.State) ($($job.StatusMessage)); backup $((Get-VolumeBackup -Name svc-b -ErrorAction SilentlyContinue).Status); service job $($script:service.State); service log: $($script:service | Receive-Job -Keep *>&1 | Out-String)" }
        $b.Status | Should -Be 'available' -Because (& $state)
        # The service writes its log lines on its pipeline thread every 250 ms: the job can end before the line is out.
        $deadline = (Get-Date).AddSeconds(30)
        while (($log = $script:service | Receive-Job -Keep 6>&1 | Out-String) -notmatch "Backup $($b.Id): create taken from the queue" -and (Get-Date) -lt $deadline) {
            Start-Sleep -Milliseconds 200
        }
        $log | Should -Match "Backup $($b.Id): create taken from the queue" -Because (& $state)
    }

    It 'is down at once after the service is stopped' {
        $script:service | Stop-Job
        (Get-BackupService | Where-Object Host -EQ ([Environment]::MachineName)).State | Should -Be 'down' -Because "Stop-Job returns once Start-BackupService has ended (job $($script:service.State); output: $($script:service | Receive-Job -Keep *>&1 | Out-String))"
    }
}

Describe 'Start-BackupService' {
    It 'refuses a host name with a space, and registers nothing for it' {
        { Start-BackupService -HostName 'two words' } | Should -Throw -ErrorId 'InvalidArgument,CinderBackup.Commands.StartBackupServiceCommand'
        Get-BackupService -HostName 'two*' | Should -BeNullOrEmpty
    }
}
