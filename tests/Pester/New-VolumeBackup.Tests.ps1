BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:volume = New-VolumeWithData -Name nvb-vol
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'New-VolumeBackup' {
    It 'creates a full backup of a piped volume' {
        $b = $script:volume | New-VolumeBackup -Name nvb-full -Description 'first'
        $b | Should -BeOfType ([CinderBackup.VolumeBackup])
        $b.Status | Should -Be 'available'
        $b.IsIncremental | Should -BeFalse
        $b.Size | Should -Be 1
        $b.Service | Should -Be 'cinder.backup.drivers.posix.PosixBackupDriver'
        $b.Container | Should -Be ('{0}/{1}/{2}' -f $b.Id.Substring(0, 2), $b.Id.Substring(2, 2), $b.Id)
    }

    It 'creates an incremental backup against the newest one' {
        $full = Get-VolumeBackup -Name nvb-full
        $inc = New-VolumeBackup -Volume nvb-vol -Name nvb-inc -Incremental
        $inc.ParentId | Should -Be $full.Id
        $inc.IsIncremental | Should -BeTrue
        (Get-VolumeBackup -Name nvb-full).HasDependentBackups | Should -BeTrue
    }

    It 'carries the summary of the backup (issue 20): bytes read, changed, stored, duration, rate' {
        $full = Get-VolumeBackup -Name nvb-full
        $full.BytesRead | Should -Be 1GB
        $full.BytesChanged | Should -Be 1GB
        $full.BytesStored | Should -BeGreaterOrEqual 3MB  # 3 MiB of random data; the zeros compress to almost nothing
        $full.BytesStored | Should -BeLessThan 8MB
        $full.Duration | Should -BeOfType ([TimeSpan])
        $full.Rate | Should -BeGreaterThan 0
        $inc = Get-VolumeBackup -Name nvb-inc
        $inc.BytesRead | Should -Be 1GB
        $inc.BytesChanged | Should -Be 0  # nothing changed since the full backup
    }

    It 'carries the summary on the object an -AsJob job returns' {
        $job = New-VolumeBackup -Volume nvb-vol -Name nvb-job -Incremental -AsJob
        $job | Wait-Job -Timeout 120 | Out-Null
        $job.State | Should -Be 'Completed'
        $b = Receive-Job -Job $job
        Remove-Job -Job $job
        $b.Name | Should -Be 'nvb-job'
        $b.BytesRead | Should -Be 1GB
        $b.BytesChanged | Should -Be 0
        $b.Duration | Should -Not -BeNullOrEmpty
    }

    It 'refuses an incremental backup without a full one, with Cinder''s message' {
        New-BlockVolume -Name nvb-empty -Size 1 | Out-Null
        { New-VolumeBackup -Volume nvb-empty -Incremental -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidBackup,CinderBackup.Commands.NewVolumeBackupCommand'
        $err = $null
        New-VolumeBackup -Volume nvb-empty -Incremental -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].Exception.Message | Should -Be 'Invalid backup: No backups available to do an incremental backup.'
        Get-VolumeBackup -Volume nvb-empty | Should -BeNullOrEmpty
    }

    It 'backs up an attached volume with -Force from a temporary snapshot' {
        Mount-BlockVolume -Volume nvb-vol -InstanceId inst1 -Device /dev/vdc
        try {
            $b = New-VolumeBackup -Volume nvb-vol -Name nvb-inuse -Force
            $b.Status | Should -Be 'available'
            $b.TempSnapshotId | Should -Not -BeNullOrEmpty
            (Get-BlockVolume -Name nvb-vol).Status | Should -Be 'in-use'
        }
        finally {
            Dismount-BlockVolume -Volume nvb-vol
        }
    }

    It 'refuses a container outside the repository' {
        { New-VolumeBackup -Volume nvb-vol -Container '../escape' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidContainer,CinderBackup.Commands.NewVolumeBackupCommand'
    }

    It 'changes nothing and emits nothing under -WhatIf' {
        $before = @(Get-VolumeBackup).Count
        New-VolumeBackup -Volume nvb-vol -Name nvb-whatif -WhatIf | Should -BeNullOrEmpty
        @(Get-VolumeBackup).Count | Should -Be $before
    }
}
