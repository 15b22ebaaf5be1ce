# Shared set-up for the Pester suite: import the built module from out/CinderBackup (or $env:CINDERBACKUP_MODULE)
# into this fresh process, with a private data directory and no user configuration.

# The module exports 28 cmdlets today; fewer means a broken build or manifest, and every loop over them would check nothing.
$script:MinimumCmdletCount = 28

function Get-CinderBackupModulePath {
    [CmdletBinding()]
    [OutputType([string])]
    param()
    if ($env:CINDERBACKUP_MODULE) { $env:CINDERBACKUP_MODULE } else { [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../out/CinderBackup')) }
}

function Get-ExpectedCmdletName {
    # The cmdlets the manifest in the built module declares; throws when there are fewer than the module has.
    [CmdletBinding()]
    [OutputType([string[]])]
    param()
    $manifest = Join-Path (Get-CinderBackupModulePath) 'CinderBackup.psd1'
    $names = @((Import-PowerShellDataFile -LiteralPath $manifest).CmdletsToExport)
    if ($names.Count -lt $script:MinimumCmdletCount) {
        throw "$manifest declares $($names.Count) cmdlets; at least $($script:MinimumCmdletCount) expected."
    }
    return $names
}

function Initialize-CinderBackupTest {
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $modulePath = Get-CinderBackupModulePath
    $testRoot = Join-Path ([IO.Path]::GetTempPath()) ('cbpester-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $testRoot | Out-Null
    $env:CINDERBACKUP_HOME = Join-Path $testRoot 'home'
    $env:XDG_CONFIG_HOME = Join-Path $testRoot 'xdg-config'
    foreach ($name in 'OS_PROJECT_NAME', 'OS_USERNAME', 'CINDERBACKUP_ADMIN', 'CINDERBACKUP_FAULT') {
        Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue
    }
    $config = Join-Path $testRoot 'cinderbackup.yaml'
    Set-Content -LiteralPath $config -Value 'backup_file_size: 8MiB'
    $env:CINDERBACKUP_CONFIG = $config
    # -Global: imported from inside this module function, the cmdlets would otherwise be visible only here.
    Import-Module -Name (Join-Path $modulePath 'CinderBackup.psd1') -Force -Global -ErrorAction Stop
    # Stop here, not in 287 tests that each find no cmdlet (or pass having checked nothing).
    $expected = Get-ExpectedCmdletName
    $loaded = @(Get-Command -Module CinderBackup -CommandType Cmdlet).Name
    $missing = @($expected | Where-Object { $_ -notin $loaded })
    if ($missing.Count -gt 0) {
        throw "The CinderBackup module from $modulePath did not load its cmdlets: $($missing.Count) of $($expected.Count) missing ($($missing -join ', '))."
    }
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

function Set-CatalogStatus {
    # Puts a volume, snapshot or backup of the test catalog into a status no cmdlet leaves it in (a stuck delete, say),
    # with Python's sqlite3, as an operator's database repair would.
    [CmdletBinding()]
    param([ValidateSet('volumes', 'snapshots', 'backups')] [string] $Table, [string] $Id, [string] $Status)
    $catalog = Join-Path $env:CINDERBACKUP_HOME 'catalog.db'
    $python = 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); n = c.execute("UPDATE " + sys.argv[2] + " SET status = ? WHERE id = ?", (sys.argv[4], sys.argv[3])).rowcount; c.commit(); sys.exit(0 if n == 1 else 3)'
    & /usr/bin/python3 -c $python $catalog $Table $Id $Status
    if ($LASTEXITCODE -ne 0) { throw "Could not set $Table $Id to $Status in $catalog (exit code $LASTEXITCODE)." }
}

function Get-FileHashHex {
    [CmdletBinding()]
    [OutputType([string])]
    param([string] $Path)
    (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash
}

function Get-FreshPwshCommand {
    # How to start a fresh pwsh like this one: the apphost or pwsh.exe, or `dotnet pwsh.dll` when this pwsh is the
    # .NET tool (its process is dotnet, and $PSHOME holds pwsh.dll). Returns the program followed by its first arguments.
    [CmdletBinding()]
    [OutputType([string[]])]
    param()
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return @($process, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return @($process)
}

function Invoke-FreshPwsh {
    # Runs a script file or a command in a fresh `pwsh -NoProfile -NonInteractive` with stdin closed (as a runbook
    # runs), with extra environment variables; returns ExitCode, Output (stdout) and Errors (stderr).
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Command')] [string] $Command,
        [Parameter(Mandatory, ParameterSetName = 'File')] [string] $File,
        [hashtable] $Environment = @{},
        [string] $WorkingDirectory = (Get-Location).ProviderPath,
        [int] $TimeoutSeconds = 600
    )
    $pwsh = Get-FreshPwshCommand
    $start = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive')) { $start.ArgumentList.Add($a) }
    if ($PSCmdlet.ParameterSetName -eq 'File') {
        $start.ArgumentList.Add('-File'); $start.ArgumentList.Add($File)
    }
    else {
        $start.ArgumentList.Add('-Command'); $start.ArgumentList.Add($Command)
    }
    $start.WorkingDirectory = $WorkingDirectory
    $start.UseShellExecute = $false
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    foreach ($key in $Environment.Keys) {
        if ($null -eq $Environment[$key]) { [void] $start.Environment.Remove($key) } else { $start.Environment[$key] = [string] $Environment[$key] }
    }
    $process = [Diagnostics.Process]::Start($start)
    try {
        $process.StandardInput.Close()
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "pwsh did not finish within $TimeoutSeconds s: $Command$File"
        }
        $process.WaitForExit()
        [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $stdout.Result; Errors = $stderr.Result }
    }
    finally {
        $process.Dispose()
    }
}

Export-ModuleMember -Function Initialize-CinderBackupTest, Remove-CinderBackupTest, New-TestImage, New-VolumeWithData, Get-FileHashHex,
    Get-CinderBackupModulePath, Get-ExpectedCmdletName, Get-FreshPwshCommand, Invoke-FreshPwsh, Set-CatalogStatus
