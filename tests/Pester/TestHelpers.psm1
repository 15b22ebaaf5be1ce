# Shared set-up for the Pester suite: import the built module from out/CinderBackup (or $env:CINDERBACKUP_MODULE)
# into this fresh process, with a private data directory and no user configuration.

function Initialize-CinderBackupTest {
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $modulePath = if ($env:CINDERBACKUP_MODULE) { $env:CINDERBACKUP_MODULE } else { Join-Path $PSScriptRoot '../../out/CinderBackup' }
    $testRoot = Join-Path ([IO.Path]::GetTempPath()) ('cbpester-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $testRoot | Out-Null
    $env:CINDERBACKUP_HOME = Join-Path $testRoot 'home'
    $env:XDG_CONFIG_HOME = Join-Path $testRoot 'xdg-config'
    foreach ($name in 'OS_PROJECT_NAME', 'OS_USERNAME', 'CINDERBACKUP_ADMIN') {
        Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue
    }
    $config = Join-Path $testRoot 'cinderbackup.yaml'
    Set-Content -LiteralPath $config -Value 'backup_file_size: 8MiB'
    $env:CINDERBACKUP_CONFIG = $config
    # -Global: imported from inside this module function, the cmdlets would otherwise be visible only here.
    Import-Module -Name (Join-Path $modulePath 'CinderBackup.psd1') -Force -Global -ErrorAction Stop
    Set-BackupContext -Reset
    return $testRoot
}

function Remove-CinderBackupTest {
    [CmdletBinding()]
    param([string] $TestRoot)
    Set-BackupContext -Reset
    if ($TestRoot -and (Test-Path -LiteralPath $TestRoot)) {
        Remove-Item -LiteralPath $TestRoot -Recurse -Force
    }
}

function New-TestImage {
    # A sparse image file of $Size bytes with $DataBytes of pseudo-random data at $Offset.
    [CmdletBinding()]
    [OutputType([string])]
    param([string] $Path, [long] $Size = 64MB, [long] $Offset = 0, [int] $DataBytes = 1MB, [int] $Seed = 1)
    $stream = [IO.File]::Open($Path, [IO.FileMode]::Create)
    try {
        $stream.SetLength($Size)
        if ($DataBytes -gt 0) {
            $bytes = [byte[]]::new($DataBytes)
            [Random]::new($Seed).NextBytes($bytes)
            $stream.Position = $Offset
            $stream.Write($bytes, 0, $bytes.Length)
        }
    }
    finally {
        $stream.Dispose()
    }
    return $Path
}

function New-VolumeWithData {
    # A 1 GiB pool volume with 3 MiB of pseudo-random data at the start.
    [CmdletBinding()]
    [OutputType('CinderBackup.BlockVolume')]
    param([string] $Name, [int] $Seed = 1)
    $volume = New-BlockVolume -Name $Name -Size 1
    $bytes = [byte[]]::new(3MB)
    [Random]::new($Seed).NextBytes($bytes)
    $stream = [IO.File]::OpenWrite($volume.Path)
    try { $stream.Write($bytes, 0, $bytes.Length) } finally { $stream.Dispose() }
    return $volume
}

function Get-FileHashHex {
    [CmdletBinding()]
    [OutputType([string])]
    param([string] $Path)
    (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash
}

Export-ModuleMember -Function Initialize-CinderBackupTest, Remove-CinderBackupTest, New-TestImage, New-VolumeWithData, Get-FileHashHex
