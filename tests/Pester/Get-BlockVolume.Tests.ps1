BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:a = New-BlockVolume -Name gbv-alpha -Size 1
    $script:b = New-BlockVolume -Name gbv-beta -Size 1
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Get-BlockVolume' {
    It 'lists every volume' {
        (Get-BlockVolume).Id | Should -Contain $script:a.Id
        (Get-BlockVolume).Id | Should -Contain $script:b.Id
    }

    It 'filters by name with wildcards' {
        (Get-BlockVolume -Name 'gbv-a*').Id | Should -Be $script:a.Id
    }

    It 'finds a volume by ID through -Name' {
        (Get-BlockVolume -Name $script:b.Id).Name | Should -Be 'gbv-beta'
    }

    It 'reports an unknown name as a non-terminating error' {
        { Get-BlockVolume -Name nothing-here -ErrorAction Stop } | Should -Throw -ErrorId 'VolumeNotFound,CinderBackup.Commands.GetBlockVolumeCommand'
        Get-BlockVolume -Name nothing-here -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].TargetObject | Should -Be 'nothing-here'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'returns nothing, without an error, when a wildcard matches nothing' {
        Get-BlockVolume -Name 'zzz*' -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'binds names and IDs piped as strings' {
        ('gbv-alpha' | Get-BlockVolume).Id | Should -Be $script:a.Id
        (@('gbv-alpha', $script:b.Id) | Get-BlockVolume).Id | Should -Be @($script:a.Id, $script:b.Id)
        { 'gbv-none' | Get-BlockVolume -ErrorAction Stop } | Should -Throw -ErrorId 'VolumeNotFound,CinderBackup.Commands.GetBlockVolumeCommand'
    }

    It 'binds VolumeId from piped objects' {
        $snapshot = New-VolumeSnapshot -Volume gbv-alpha -Name gbv-snap
        ($snapshot | Get-BlockVolume).Id | Should -Be $script:a.Id
        Remove-VolumeSnapshot -InputObject $snapshot -Confirm:$false
    }

    It 'refuses -AllProjects to a non-admin' {
        Set-BackupContext -ProjectName other -UserName someone -Admin:$false
        try {
            { Get-BlockVolume -AllProjects -ErrorAction Stop } | Should -Throw -ErrorId 'PolicyNotAuthorized,CinderBackup.Commands.GetBlockVolumeCommand'
            Get-BlockVolume | Should -BeNullOrEmpty
        }
        finally {
            Set-BackupContext -Reset
        }
    }
}
