BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Times in a time zone that is not UTC' {
    It 'gives ages that are small and not negative right after the fact, in America/New_York' {
        # A fresh pwsh in New York: (Get-Date) is local there, so a UTC time read as local would be 4-5 hours off.
        $script = @'
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $env:CINDERBACKUP_MODULE 'CinderBackup.psd1')
$offset = [TimeZoneInfo]::Local.GetUtcOffset([DateTime]::UtcNow)
if ($offset -eq [TimeSpan]::Zero) { throw "TZ=America/New_York did not take effect (is tzdata installed?)" }
$volume = New-BlockVolume -Name tz-vol -Size 1
$snapshot = New-VolumeSnapshot -Volume tz-vol -Name tz-snap
$backup = New-VolumeBackup -Volume tz-vol -Name tz-backup
$now = Get-Date
$ages = [ordered]@{
    'volume CreatedAt' = $now - $volume.CreatedAt
    'snapshot CreatedAt' = $now - $snapshot.CreatedAt
    'backup CreatedAt' = $now - $backup.CreatedAt
    'backup DataTimestamp' = $now - $backup.DataTimestamp
    'backup UpdatedAt' = $now - $backup.UpdatedAt
    'listed backup CreatedAt' = $now - (Get-VolumeBackup -Name tz-backup).CreatedAt
    'record CreatedAt' = $now - (Find-BackupRecord | Where-Object BackupId -EQ $backup.Id).CreatedAt
}
foreach ($entry in $ages.GetEnumerator()) { '{0}={1}' -f $entry.Key, [int] $entry.Value.TotalSeconds }
'offset={0}' -f $offset.TotalHours
'kinds={0},{1}' -f $backup.CreatedAt.Kind, $backup.CreatedAtUtc.Kind
'utc={0}' -f [int] ([DateTime]::UtcNow - $backup.CreatedAtUtc).TotalSeconds
'@
        $run = Invoke-FreshPwsh -Command $script -Environment @{ TZ = 'America/New_York'; CINDERBACKUP_MODULE = (Get-CinderBackupModulePath) }
        $run.ExitCode | Should -Be 0 -Because "$($run.Output)$($run.Errors)"
        $values = @{}
        foreach ($line in $run.Output -split "`n") {
            if ($line -match '^([^=]+)=(.*)$') { $values[$Matches[1]] = $Matches[2].Trim() }
        }
        $values['offset'] | Should -BeIn @('-5', '-4')
        $values['kinds'] | Should -Be 'Local,Utc'
        $ages = @($values.Keys | Where-Object { $_ -like '*At' -or $_ -like '*Timestamp' })
        $ages.Count | Should -Be 7
        foreach ($name in $ages + 'utc') {
            [int] $values[$name] | Should -BeGreaterOrEqual 0 -Because "$name must not lie in the future"
            [int] $values[$name] | Should -BeLessThan 600 -Because "$name was just now"
        }
    }
}
