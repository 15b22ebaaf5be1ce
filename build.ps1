#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and packages the CinderBackup module.
.DESCRIPTION
    Build   : compiles the module and lays it out in out/CinderBackup (importable as is).
    Test    : runs the xunit suites, then the Pester suite against out/CinderBackup in a fresh pwsh.
    Package : zips out/CinderBackup to out/CinderBackup-<version>.zip.
    Clean   : removes out/ and the bin/obj folders.
    The version comes from CinderBackup.psd1 (ModuleVersion) and is stamped into the assemblies.
.EXAMPLE
    ./build.ps1
    ./build.ps1 -Task Clean, Build, Test
#>
[CmdletBinding()]
[Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSAvoidUsingWriteHost', '', Justification = 'Build script output.')]
param(
    [ValidateSet('Clean', 'Build', 'Test', 'Package')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$manifestPath = Join-Path $root 'CinderBackup.psd1'
$version = (Import-PowerShellDataFile -Path $manifestPath).ModuleVersion
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'CinderBackup'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Clean {
    if (Test-Path $out) { Remove-Item $out -Recurse -Force }
    Get-ChildItem $root -Include bin, obj -Recurse -Directory | Remove-Item -Recurse -Force
}

function Invoke-Build {
    Write-Host "Building CinderBackup $version ($Configuration)"
    Invoke-Native dotnet @('build', (Join-Path $root 'src/CinderBackup/CinderBackup.csproj'), '-c', $Configuration, "-p:Version=$version")
    Invoke-Native dotnet @('build', (Join-Path $root 'src/CinderBackup.Cli/CinderBackup.Cli.csproj'), '-c', $Configuration, "-p:Version=$version")
    # The project's output is the module's layout (see CinderBackup.csproj): the cmdlets and the public types at the
    # top, loaded into PowerShell's default context; the engine, third-party and native libraries in dependencies/,
    # loaded by the module's own AssemblyLoadContext. Only those files are copied (no pdb, no deps.json).
    $bin = Join-Path $root "src/CinderBackup/bin/$Configuration/net8.0"
    $top = @('CinderBackup.dll', 'CinderBackup.Models.dll', 'CinderBackup.format.ps1xml')
    $required = $top + @('dependencies/CinderBackup.Engine.dll', 'dependencies/YamlDotNet.dll', 'dependencies/Microsoft.Data.Sqlite.dll',
        'dependencies/AWSSDK.S3.dll', 'dependencies/ZstdSharp.dll', 'dependencies/runtimes/linux-x64/native/libe_sqlite3.so')
    foreach ($file in $required) {
        if (-not (Test-Path -LiteralPath (Join-Path $bin $file))) { throw "The build did not produce $file in $bin." }
    }
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    New-Item -ItemType Directory -Path $moduleOut | Out-Null
    Copy-Item $manifestPath $moduleOut
    foreach ($file in $top) { Copy-Item (Join-Path $bin $file) $moduleOut }
    $dependencies = Join-Path $bin 'dependencies'
    foreach ($file in Get-ChildItem $dependencies -Recurse -File -Include '*.dll', '*.so', '*.dylib') {
        $target = Join-Path $moduleOut (Join-Path 'dependencies' ([IO.Path]::GetRelativePath($dependencies, $file.FullName)))
        New-Item -ItemType Directory -Path (Split-Path $target) -Force | Out-Null
        Copy-Item $file.FullName $target
    }
    $help = New-Item -ItemType Directory -Path (Join-Path $moduleOut 'en-US')
    Copy-Item (Join-Path $root 'en-US/CinderBackup.dll-Help.xml') $help
    Copy-Item (Join-Path $root 'en-US/about_CinderBackup.help.txt') $help
    Write-Host "Module laid out in $moduleOut"
}

function Invoke-Test {
    Invoke-Native dotnet @('test', (Join-Path $root 'CinderBackup.sln'), '-c', $Configuration)
    $pwsh = (Get-Process -Id $PID).Path
    $pester = Join-Path $root 'tests/Pester'
    # A fresh process, so the module under test is the one in out/, not one already loaded here.
    $script = "Import-Module Pester -MinimumVersion 5.0; `$c = New-PesterConfiguration; `$c.Run.Path = '$pester'; `$c.Run.Exit = `$true; `$c.Output.Verbosity = 'Detailed'; `$env:CINDERBACKUP_MODULE = '$moduleOut'; Invoke-Pester -Configuration `$c"
    Invoke-Native $pwsh @('-NoProfile', '-NonInteractive', '-Command', $script)
}

function Invoke-Package {
    if (-not (Test-Path $moduleOut)) { Invoke-Build }
    $zip = Join-Path $out "CinderBackup-$version.zip"
    if (Test-Path $zip) { Remove-Item $zip }
    Compress-Archive -Path $moduleOut -DestinationPath $zip
    Write-Host "Packaged $zip"
}

foreach ($t in $Task) {
    switch ($t) {
        'Clean' { Invoke-Clean }
        'Build' { Invoke-Build }
        'Test' { if (-not (Test-Path $moduleOut)) { Invoke-Build }; Invoke-Test }
        'Package' { Invoke-Package }
    }
}
