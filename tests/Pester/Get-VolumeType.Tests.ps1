BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:io1 = New-VolumeType -Name gvt-io1 -Description 'High IOPS'
    New-VolumeType -Name gvt-io2 | Out-Null
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Get-VolumeType' {
    It 'lists __DEFAULT__ and the types created' {
        $all = Get-VolumeType
        $all | Should -BeOfType ([CinderBackup.VolumeType])
        $all.Name | Should -Contain '__DEFAULT__'
        $all.Name | Should -Contain 'gvt-io1'
        $all.Name | Should -Contain 'gvt-io2'
    }

    It 'filters by name with wildcards, and by ID' {
        (Get-VolumeType -Name 'gvt-io*').Name | Sort-Object | Should -Be @('gvt-io1', 'gvt-io2')
        (Get-VolumeType -Name $script:io1.Id).Name | Should -Be 'gvt-io1'
        ('gvt-io2' | Get-VolumeType).Name | Should -Be 'gvt-io2'
    }

    It 'returns the type of a piped volume by its VolumeType property' {
        New-BlockVolume -Name gvt-vol -Size 1 -VolumeType gvt-io1 | Out-Null
        $t = Get-BlockVolume -Name gvt-vol | Get-VolumeType
        @($t).Count | Should -Be 1
        $t.Id | Should -Be $script:io1.Id
        $t.Description | Should -Be 'High IOPS'
    }

    It 'reports a name that matches nothing with VolumeTypeNotFound and still lists the others' {
        $found = Get-VolumeType -Name 'nope', 'gvt-io1' -ErrorAction SilentlyContinue -ErrorVariable err
        $found.Name | Should -Be 'gvt-io1'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'VolumeTypeNotFound,CinderBackup.Commands.GetVolumeTypeCommand'
        $err[0].Exception.Message | Should -Be 'Volume type with name nope could not be found.'
        $err[0].TargetObject | Should -Be 'nope'
        Get-VolumeType -Name 'none*' | Should -BeNullOrEmpty
    }

    It 'shows ID, Name and Is Public in its table, every field in its list view' {
        $table = Get-VolumeType -Name gvt-io1 | Format-Table | Out-String
        $table | Should -Match 'ID\s+Name\s+Is Public'
        $table | Should -Match "$($script:io1.Id)\s+gvt-io1\s+True"
        Get-VolumeType -Name gvt-io1 | Format-List | Out-String | Should -Match 'Description : High IOPS'
    }
}
