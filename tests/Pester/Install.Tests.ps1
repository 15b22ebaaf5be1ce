BeforeAll {
    # The module installed the way users install it (issue 20, item 10): `build.ps1 -Task Package` makes the .nupkg,
    # a folder repository serves it, Install-PSResource -Scope CurrentUser installs it, and a fresh pwsh imports the
    # installed copy, backs up and restores a volume with it, and uninstalls it. HOME and the module path point into a
    # temporary folder, so neither the machine's modules nor its repository list change.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:repositoryRoot = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
    $script:packages = Join-Path $script:testRoot 'packages'
    $script:version = (Import-PowerShellDataFile -LiteralPath (Join-Path $script:repositoryRoot 'CinderBackup.psd1')).ModuleVersion
    $script:package = Invoke-FreshPwsh -WorkingDirectory $script:repositoryRoot -Command (
        "& ./build.ps1 -Task Package -Packages Module -PackageOutput '$($script:packages)'; exit `$LASTEXITCODE")
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'The module package' {
    It 'installs with Install-PSResource from a folder repository, backs up and restores, and uninstalls' {
        $script:package.ExitCode | Should -Be 0 -Because ($script:package.Output + $script:package.Errors)
        Join-Path $script:packages "CinderBackup.$($script:version).nupkg" | Should -Exist
        $userHome = Join-Path $script:testRoot 'user'
        New-Item -ItemType Directory -Path $userHome | Out-Null
        $script = Join-Path $script:testRoot 'install.ps1'
        Set-Content -LiteralPath $script -Value @'
param([string] $Source)
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name CinderBackupLocal -Uri $Source -Trusted
Install-PSResource -Name CinderBackup -Repository CinderBackupLocal -Scope CurrentUser -TrustRepository
Import-Module CinderBackup
$module = Get-Module CinderBackup
$volume = New-BlockVolume -Name inst-src -Size 1
$bytes = [byte[]]::new(3MB)
[Random]::new(5).NextBytes($bytes)
$stream = [IO.File]::OpenWrite($volume.Path)
try { $stream.Write($bytes, 0, $bytes.Length) } finally { $stream.Dispose() }
$backup = New-VolumeBackup -Volume inst-src -Name inst-full
$restore = Restore-VolumeBackup -Backup inst-full -Confirm:$false
$same = (Get-FileHash -LiteralPath (Get-BlockVolume -VolumeId $restore.VolumeId).Path).Hash -eq (Get-FileHash -LiteralPath $volume.Path).Hash
Remove-Module CinderBackup
Uninstall-PSResource -Name CinderBackup -Scope CurrentUser
[pscustomobject]@{
    ModuleBase = $module.ModuleBase
    Version = "$($module.Version)"
    BackupStatus = $backup.Status
    Same = $same
    Left = @(Get-Module -ListAvailable CinderBackup).Count
} | ConvertTo-Json -Compress
'@
        $environment = @{
            HOME = $userHome; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null; XDG_CACHE_HOME = $null; PSModulePath = $null
            CINDERBACKUP_MODULE = $null; CINDERBACKUP_HOME = (Join-Path $script:testRoot 'installed-home'); CINDERBACKUP_CONFIG = $null
        }
        $r = Invoke-FreshPwsh -Command "& '$script' -Source '$($script:packages)'" -Environment $environment
        $r.ExitCode | Should -Be 0 -Because ($r.Output + $r.Errors)
        $result = ($r.Output -split "`n" | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json
        $result.ModuleBase | Should -BeLike "$userHome*"
        $result.Version | Should -Be $script:version
        $result.BackupStatus | Should -Be 'available'
        $result.Same | Should -BeTrue
        $result.Left | Should -Be 0
    }
}
