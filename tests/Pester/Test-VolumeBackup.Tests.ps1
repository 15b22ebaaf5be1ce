BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    New-VolumeWithData -Name tvb-vol | Out-Null
    $script:backup = New-VolumeBackup -Volume tvb-vol -Name tvb-backup -Compression none
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Test-VolumeBackup' {
    It 'finds a good backup valid, quick and deep' {
        $quick = Get-VolumeBackup -Name tvb-backup | Test-VolumeBackup
        $quick | Should -BeOfType ([CinderBackup.BackupVerifyResult])
        $quick.IsValid | Should -BeTrue
        $quick.Mode | Should -Be 'quick'
        (Test-VolumeBackup -Backup tvb-backup -Deep).IsValid | Should -BeTrue
    }

    It 'names the damaged object' {
        $dir = Join-Path $env:CINDERBACKUP_HOME "backup/$($script:backup.Container)"
        $object = Get-ChildItem -LiteralPath $dir | Where-Object Name -Like '*-00001' | Select-Object -First 1
        $bytes = [IO.File]::ReadAllBytes($object.FullName)
        $bytes[100] = $bytes[100] -bxor 0xff
        [IO.File]::WriteAllBytes($object.FullName, $bytes)
        # -ErrorAction: the damage may also be reported as an error; this test is about the result object.
        $result = Test-VolumeBackup -Backup tvb-backup -Deep -ErrorAction SilentlyContinue
        $result.IsValid | Should -BeFalse
        $result.Problem | Should -BeLike "*$($object.Name)*"
    }
}
