#Requires -Version 7.4
<#
.SYNOPSIS
    Runs the Pester suite (tests/Pester) against the built module, each test file in a fresh pwsh.
.DESCRIPTION
    The one place that builds the Pester invocation: build.ps1 -Task Test (and so scripts/test.sh and CI) calls it.

    - Pester comes from NuGet: tools/RestorePester/RestorePester.csproj is restored and Pester.psd1 is imported from
      the NuGet package folder that restore reports. Nothing is installed into a PowerShell module path.
    - The run stops at once, failed, when the module under test does not import with all its cmdlets.
    - Every *.Tests.ps1 runs in its own `pwsh -NoProfile -NonInteractive` with stdin closed, as a runbook runs, with
      CINDERBACKUP_MODULE pointing at the module.
    - A test that did not run counts as failed: one left out by a failing BeforeAll, a skipped one, and a file whose
      discovery failed, whose process died or timed out (one failure each, as their tests are unknown).
    - Results: JUnit XML in TestResults/Pester.junit.xml (one <testsuite> per file), for CI.
    Returns an object with Discovered, Passed and Failed.
.EXAMPLE
    ./tests/Pester/Invoke-PesterSuite.ps1
.EXAMPLE
    ./tests/Pester/Invoke-PesterSuite.ps1 -TestPath ./tests/Pester/Help.Tests.ps1 -ModulePath ./out/CinderBackup
#>
[CmdletBinding(DefaultParameterSetName = 'Suite')]
[Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSAvoidUsingWriteHost', '', Justification = 'Test runner output.')]
param(
    # The laid-out module to test (default: out/CinderBackup).
    [Parameter(ParameterSetName = 'Suite')]
    [string] $ModulePath,

    # Test files to run (default: every tests/Pester/*.Tests.ps1).
    [Parameter(ParameterSetName = 'Suite')]
    [string[]] $TestPath,

    # The JUnit XML file (default: TestResults/Pester.junit.xml).
    [Parameter(ParameterSetName = 'Suite')]
    [string] $ResultPath,

    # A test file still running after this long is stopped and counted as failed.
    [Parameter(ParameterSetName = 'Suite')]
    [int] $FileTimeoutMinutes = 20,

    # Internal: run one file in this (fresh) process and write its counts next to its JUnit file.
    [Parameter(Mandatory, ParameterSetName = 'File')]
    [string] $File,

    [Parameter(Mandatory, ParameterSetName = 'File')]
    [string] $FileResultPath,

    [Parameter(Mandatory, ParameterSetName = 'File')]
    [Parameter(Mandatory, ParameterSetName = 'Check')]
    [string] $PesterManifest,

    # Internal: import the module as every test file does, and fail if that does not work.
    [Parameter(Mandatory, ParameterSetName = 'Check')]
    [switch] $CheckModule
)

$ErrorActionPreference = 'Stop'
$root = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))

if ($PSCmdlet.ParameterSetName -eq 'Check') {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    try {
        $testRoot = Initialize-CinderBackupTest
        Remove-CinderBackupTest -TestRoot $testRoot
        Write-Host "Module $(Get-CinderBackupModulePath): $(@(Get-Command -Module CinderBackup -CommandType Cmdlet).Count) cmdlets loaded."
        exit 0
    }
    catch {
        Write-Host "The module did not load: $_"
        exit 1
    }
}

if ($PSCmdlet.ParameterSetName -eq 'File') {
    Import-Module $PesterManifest -Force
    $configuration = New-PesterConfiguration
    $configuration.Run.Path = $File
    $configuration.Run.PassThru = $true
    $configuration.Output.Verbosity = 'Detailed'
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputFormat = 'JUnitXml'
    $configuration.TestResult.OutputPath = $FileResultPath
    $result = Invoke-Pester -Configuration $configuration
    [ordered]@{
        Result = [string] $result.Result
        Discovered = $result.TotalCount
        Passed = $result.PassedCount
        Failed = $result.FailedCount
        Skipped = $result.SkippedCount
        NotRun = $result.NotRunCount
        Inconclusive = $result.InconclusiveCount
        FailedBlocks = $result.FailedBlocksCount
        FailedContainers = $result.FailedContainersCount
    } | ConvertTo-Json | Set-Content -LiteralPath "$FileResultPath.json"
    exit 0
}

# Not earlier: the test files run in this script's scope in the 'File' mode above, and keep their own settings.
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

function Get-PesterManifest {
    # Restores tools/RestorePester (a PackageDownload of the pinned Pester) and finds Pester.psd1 in the package folder.
    $project = Join-Path $root 'tools/RestorePester/RestorePester.csproj'
    $version = ([xml] (Get-Content -Raw -LiteralPath $project)).Project.ItemGroup.PackageDownload.Version.Trim('[', ']')
    & dotnet restore $project --verbosity quiet | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "dotnet restore $project failed with exit code $LASTEXITCODE" }
    $assets = Get-Content -Raw -LiteralPath (Join-Path $root 'tools/RestorePester/obj/project.assets.json') | ConvertFrom-Json -AsHashtable
    foreach ($folder in $assets['packageFolders'].Keys) {
        $manifest = Join-Path $folder "pester/$version/tools/Pester.psd1"
        if (Test-Path -LiteralPath $manifest) { return $manifest }
    }
    throw "Pester $version is not in the NuGet package folders ($($assets['packageFolders'].Keys -join ', ')) after restoring $project."
}

function Invoke-Child {
    # This script again in a fresh pwsh, stdin closed; returns the exit code, or $null when it ran out of time.
    param([string[]] $Arguments, [int] $TimeoutMinutes)
    $pwsh = Get-FreshPwshCommand
    $start = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $PSCommandPath) + $Arguments) {
        $start.ArgumentList.Add($a)
    }
    $start.UseShellExecute = $false
    $start.RedirectStandardInput = $true
    $start.Environment['CINDERBACKUP_MODULE'] = $ModulePath
    $process = [Diagnostics.Process]::Start($start)
    try {
        $process.StandardInput.Close()
        if (-not $process.WaitForExit($TimeoutMinutes * 60000)) {
            $process.Kill($true)
            $process.WaitForExit()
            return $null
        }
        $process.WaitForExit()
        return $process.ExitCode
    }
    finally {
        $process.Dispose()
    }
}

function New-FailedSuite {
    # A JUnit <testsuite> with one failed case, for a file whose tests could not be counted.
    param([string] $Name, [string] $Message)
    $escaped = [Security.SecurityElement]::Escape($Message)
    "<testsuite name=""$([Security.SecurityElement]::Escape($Name))"" tests=""1"" failures=""1"" errors=""0"" skipped=""0"" time=""0""><testcase name=""$([Security.SecurityElement]::Escape($Name))"" classname=""Pester"" time=""0""><failure message=""$escaped"">$escaped</failure></testcase></testsuite>"
}

if (-not $ModulePath) { $ModulePath = Join-Path $root 'out/CinderBackup' }
$ModulePath = [IO.Path]::GetFullPath($ModulePath)
if (-not $TestPath) { $TestPath = @(Get-ChildItem -LiteralPath $PSScriptRoot -Filter '*.Tests.ps1' | Sort-Object Name | ForEach-Object FullName) }
if (-not $ResultPath) { $ResultPath = Join-Path $root 'TestResults/Pester.junit.xml' }
$ResultPath = [IO.Path]::GetFullPath($ResultPath)
$work = Join-Path (Split-Path -Parent $ResultPath) 'Pester'
if (Test-Path -LiteralPath $work) { Remove-Item -LiteralPath $work -Recurse -Force }
New-Item -ItemType Directory -Path $work -Force | Out-Null

$pester = Get-PesterManifest
Write-Host "Pester suite: $($TestPath.Count) files against $ModulePath (Pester from $pester)"
if (@($TestPath).Count -eq 0) { throw "No test files found in $PSScriptRoot." }

$check = Invoke-Child -Arguments @('-CheckModule', '-PesterManifest', $pester) -TimeoutMinutes 5
if ($check -ne 0) {
    Write-Host 'Pester: stopped, the module did not load (see above); no test file was run.'
    Set-Content -LiteralPath $ResultPath -Value "<?xml version=""1.0"" encoding=""utf-8""?>`n<testsuites tests=""1"" failures=""1"">$(New-FailedSuite 'module import' 'The CinderBackup module did not load.')</testsuites>"
    return [pscustomobject]@{ Discovered = 0; Passed = 0; Failed = 1; Problems = @('the module did not load') }
}

$totals = [ordered]@{ Discovered = 0; Passed = 0; Failed = 0 }
$problems = [Collections.Generic.List[string]]::new()
$suites = [Collections.Generic.List[string]]::new()
foreach ($file in $TestPath) {
    $name = Split-Path -Leaf $file
    $junit = Join-Path $work ([IO.Path]::ChangeExtension($name, '.junit.xml'))
    $exit = Invoke-Child -Arguments @('-File', $file, '-FileResultPath', $junit, '-PesterManifest', $pester) -TimeoutMinutes $FileTimeoutMinutes
    $counts = if (Test-Path -LiteralPath "$junit.json") { Get-Content -Raw -LiteralPath "$junit.json" | ConvertFrom-Json } else { $null }
    if ($null -eq $counts) {
        $why = if ($null -eq $exit) { "did not finish within $FileTimeoutMinutes minutes" } else { "ended (exit code $exit) before Pester reported" }
        $problems.Add("${name}: $why")
        $totals.Failed += 1
        $suites.Add((New-FailedSuite $name "$name $why."))
        continue
    }
    # Not run (a failing BeforeAll), skipped and inconclusive tests checked nothing: they count as failures.
    $failed = $counts.Failed + $counts.NotRun + $counts.Skipped + $counts.Inconclusive
    if ($counts.Discovered -ne $counts.Passed + $failed) {
        $failed = $counts.Discovered - $counts.Passed
    }
    if ($counts.Result -ne 'Passed' -and $failed -eq 0) {
        # Discovery failed (no test known) or a BeforeAll/AfterAll block failed around passing tests.
        $failed = 1
        $problems.Add("${name}: $($counts.FailedContainers) file and $($counts.FailedBlocks) block failure(s) outside the tests")
    }
    elseif ($failed -gt 0) {
        $problems.Add("${name}: $failed of $($counts.Discovered) failed or did not run")
    }
    $totals.Discovered += $counts.Discovered
    $totals.Passed += $counts.Passed
    $totals.Failed += $failed
    if (Test-Path -LiteralPath $junit) {
        $xml = [xml] (Get-Content -Raw -LiteralPath $junit)
        foreach ($suite in $xml.SelectNodes('/testsuites/testsuite')) { $suites.Add($suite.OuterXml) }
        if ($counts.Result -ne 'Passed' -and $counts.Discovered -eq 0) { $suites.Add((New-FailedSuite $name "$name failed before its tests were discovered.")) }
    }
    else {
        $suites.Add((New-FailedSuite $name "$name wrote no JUnit result."))
    }
}

Set-Content -LiteralPath $ResultPath -Value ("<?xml version=""1.0"" encoding=""utf-8""?>`n<testsuites name=""Pester"" tests=""$($totals.Passed + $totals.Failed)"" failures=""$($totals.Failed)"">`n" + ($suites -join "`n") + "`n</testsuites>")
Write-Host ''
foreach ($p in $problems) { Write-Host "  failed: $p" }
Write-Host "Pester: $($totals.Discovered) tests discovered in $(@($TestPath).Count) files; passed $($totals.Passed), failed or not run $($totals.Failed). JUnit: $ResultPath"
[pscustomobject]@{ Discovered = $totals.Discovered; Passed = $totals.Passed; Failed = $totals.Failed; Problems = @($problems) }
