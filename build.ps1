#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and packages the CinderBackup module.
.DESCRIPTION
    Build   : compiles the module and lays it out in out/CinderBackup (importable as is).
    Test    : builds the solution once and runs the xunit suites in two lanes at once (the CLI suite; the others, then the
              PostgresCI subset on PostgreSQL), then the Pester suite against out/CinderBackup (tests/Pester/Invoke-PesterSuite.ps1:
              each file in a fresh pwsh), and prints one line `N passed, N failed` for both; exit code 1 on any failure.
    Package : the module as a PowerShell package, out/CinderBackup.<version>.nupkg (Compress-PSResource: Install-PSResource
              installs it from a folder repository), and the CLI as a .NET tool package, out/cinder-backup.<version>.nupkg
              (dotnet tool install --add-source out cinder-backup), compiled ReadyToRun for this machine's platform (the
              CLI starts faster: README "Performance"); also out/CinderBackup-<version>.zip of the module folder.
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
    [string] $Configuration = 'Release',

    # Where Package writes its packages (the tests give a temporary folder), and which ones it makes.
    [string] $PackageOutput,

    [ValidateSet('Module', 'Cli')]
    [string[]] $Packages = @('Module', 'Cli')
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

function Get-SolutionTestProject {
    # The solution's test projects (tests/*Tests.csproj), in its order, with forward slashes.
    Select-String -LiteralPath (Join-Path $root 'CinderBackup.sln') -Pattern '"(tests[\\/][^"]+Tests\.csproj)"' |
        ForEach-Object { $_.Matches[0].Groups[1].Value -replace '\\', '/' }
}

function Measure-XunitResult {
    # Passed and failed tests in the TRX files of one `dotnet test` of the solution. Skipped or not executed tests
    # count as failed, as do test projects that left no result (build error, crashed test host).
    # -AllowSkipped: skipped tests do not count (the PostgreSQL run skips the SQLite-file tests, [SqliteFileFact]).
    param([string] $Directory, [int] $ExitCode, [int] $Projects = 0, [switch] $AllowSkipped)
    # Not $projects: PowerShell names are case-insensitive, and [int] $Projects would refuse the list.
    $testProjects = @(Get-SolutionTestProject)
    if ($Projects -gt 0) { $testProjects = @($testProjects | Select-Object -First $Projects) }
    $files = @(Get-ChildItem -LiteralPath $Directory -Filter '*.trx' -ErrorAction SilentlyContinue)
    $passed = 0
    $failed = 0
    foreach ($file in $files) {
        $run = ([xml] (Get-Content -Raw -LiteralPath $file.FullName)).TestRun
        $counters = $run.ResultSummary.Counters
        # A skipped xunit test is a result with outcome NotExecuted; the Counters' notExecuted stays 0 for it (only
        # total - executed shows it, which would also hide tests a crashed host never ran).
        $skipped = @($run.Results.UnitTestResult | Where-Object { $_.outcome -eq 'NotExecuted' }).Count
        $passed += [int] $counters.passed
        $failed += [int] $counters.total - [int] $counters.passed - $(if ($AllowSkipped) { $skipped } else { 0 })
    }
    $notes = @()
    if ($files.Count -lt $testProjects.Count) {
        $failed += $testProjects.Count - $files.Count
        $notes += "$($testProjects.Count - $files.Count) of $($testProjects.Count) test projects left no results"
    }
    if ($ExitCode -ne 0 -and $failed -eq 0) {
        $failed = 1
        $notes += "dotnet test exited with code $ExitCode"
    }
    [pscustomobject]@{ Passed = $passed; Failed = $failed; Notes = $notes }
}

function Format-FailureMessage([string] $Message) {
    # Its first lines on one line (an assertion's expected/actual pair is on lines 2-4), at most 300 characters.
    $text = (@($Message.Trim() -split "`r?`n" | ForEach-Object Trim | Where-Object { $_ } | Select-Object -First 4) -join ' | ')
    if ($text.Length -gt 300) { $text.Substring(0, 300) + '...' } else { $text }
}

function Write-FailedTest {
    # One line per failed test (xunit TRX results, Pester JUnit test cases): its name and the start of its message.
    param([string[]] $Trx, [string] $JUnit)
    $lines = @()
    foreach ($file in $Trx | Where-Object { $_ }) {
        $run = ([xml] (Get-Content -Raw -LiteralPath $file)).TestRun
        foreach ($r in @($run.Results.UnitTestResult | Where-Object { $_.outcome -notin 'Passed', 'NotExecuted' })) {
            $message = Format-FailureMessage "$($r.Output.ErrorInfo.Message)"
            $lines += "  $([IO.Path]::GetFileNameWithoutExtension($file)): $($r.testName) ($($r.outcome)): $message"
        }
    }
    if (Test-Path -LiteralPath $JUnit) {
        foreach ($case in ([xml] (Get-Content -Raw -LiteralPath $JUnit)).SelectNodes('//testcase[failure or error]')) {
            $node = if ($case.failure) { $case.failure } else { $case.error }
            $message = Format-FailureMessage "$(if ($node -is [string]) { $node } else { $node.message })"
            $lines += "  Pester: $($case.name): $message"
        }
    }
    if ($lines) {
        Write-Host "Failed tests ($($lines.Count)):"
        $lines | Select-Object -First 60 | ForEach-Object { Write-Host $_ }
        if ($lines.Count -gt 60) { Write-Host "  ... and $($lines.Count - 60) more" }
    }
}

function Invoke-TestLanes {
    # Runs each lane (a list of `dotnet test` argument lists, run one after the other) in a thread job of its own, all
    # lanes at once, and prints their output as it comes, each line prefixed with its lane's name. Returns the exit code
    # of every `dotnet test`, by its results directory and project.
    param([hashtable] $Lanes)
    $jobs = foreach ($name in $Lanes.Keys) {
        Start-ThreadJob -Name $name -ArgumentList $name, $Lanes[$name] -ScriptBlock {
            param($name, $runs)
            foreach ($run in $runs) {
                & dotnet @run 2>&1 | ForEach-Object { "[$name] $_" }
                [pscustomobject]@{ Run = $run -join ' '; ExitCode = $LASTEXITCODE }
            }
        }
    }
    $codes = @()
    while ($jobs | Where-Object { $_.State -in 'NotStarted', 'Running' }) {
        Start-Sleep -Milliseconds 500
        foreach ($item in ($jobs | Receive-Job)) {
            if ($item -is [string]) { Write-Host $item } else { $codes += $item }
        }
    }
    foreach ($item in ($jobs | Receive-Job -Wait)) {
        if ($item -is [string]) { Write-Host $item } else { $codes += $item }
    }
    $jobs | Remove-Job -Force
    $codes
}

function Invoke-Test {
    # xunit, then Pester (even when xunit failed), then one line `N passed, N failed` for both; any failure fails the task.
    $results = Join-Path $root 'TestResults'
    $trx = Join-Path $results 'xunit'
    $trxPg = Join-Path $results 'xunit-postgresql'
    foreach ($dir in $trx, $trxPg) {
        if (Test-Path $dir) { Remove-Item $dir -Recurse -Force }
    }
    # One build of the solution, then its test projects in two lanes at once (README "Tests"): the CLI suite, which
    # mostly waits on the processes and servers it starts, beside the other suites; each result file named after its project.
    & dotnet build (Join-Path $root 'CinderBackup.sln') -c $Configuration
    $buildCode = $LASTEXITCODE
    $testProjects = @(Get-SolutionTestProject)
    function Get-TestRun([string] $Project, [string] $Directory, [string[]] $Extra) {
        , (@('test', (Join-Path $root $Project), '-c', $Configuration, '--no-build', '--logger',
                "trx;LogFileName=$([IO.Path]::GetFileNameWithoutExtension($Project)).trx", '--results-directory', $Directory) + $Extra)
    }
    $cli = @($testProjects | Where-Object { $_ -match 'CinderBackup\.Cli\.Tests' })
    $lanes = @{
        cli = @(foreach ($p in $cli) { Get-TestRun $p $trx @() })
        # The engine's catalog-heavy classes again, on PostgreSQL (trait PostgresCI; README "Tests"): the whole engine suite
        # on PostgreSQL takes longer than CI allows and runs by the command the README gives. -e sets the catalog for that
        # test host only, not for the other lane's processes.
        other = @(foreach ($p in $testProjects | Where-Object { $_ -notin $cli }) { Get-TestRun $p $trx @() }) +
            @(Get-TestRun 'tests/CinderBackup.Engine.Tests/CinderBackup.Engine.Tests.csproj' $trxPg @('--filter', 'PostgresCI=true', '-e', 'CINDERBACKUP_TEST_CATALOG=postgresql'))
    }
    $codes = @(Invoke-TestLanes -Lanes $lanes)
    $code = if ($buildCode -ne 0) { $buildCode } else { @($codes | Where-Object { $_.Run -notmatch 'PostgresCI' -and $_.ExitCode -ne 0 } | ForEach-Object ExitCode) + 0 | Select-Object -First 1 }
    $pgCode = @($codes | Where-Object { $_.Run -match 'PostgresCI' } | ForEach-Object ExitCode) + 1 | Select-Object -First 1
    $xunit = Measure-XunitResult -Directory $trx -ExitCode $code
    Write-Host "xunit: passed $($xunit.Passed), failed or not run $($xunit.Failed)$(if ($xunit.Notes) { ' (' + ($xunit.Notes -join '; ') + ')' })"
    $pg = Measure-XunitResult -Directory $trxPg -ExitCode $pgCode -Projects 1 -AllowSkipped
    Write-Host "xunit on PostgreSQL (PostgresCI): passed $($pg.Passed), failed or not run $($pg.Failed)$(if ($pg.Notes) { ' (' + ($pg.Notes -join '; ') + ')' })"
    $xunit = [pscustomobject]@{ Passed = $xunit.Passed + $pg.Passed; Failed = $xunit.Failed + $pg.Failed }
    $pester = & (Join-Path $root 'tests/Pester/Invoke-PesterSuite.ps1') -ModulePath $moduleOut -ResultPath (Join-Path $results 'Pester.junit.xml')
    $failed = $xunit.Failed + $pester.Failed
    # The failed tests by name, last, where a CI log that shows only its tail still shows them.
    Write-FailedTest -Trx @((Get-ChildItem -LiteralPath $trx, $trxPg -Filter '*.trx' -ErrorAction SilentlyContinue).FullName) -JUnit (Join-Path $results 'Pester.junit.xml')
    Write-Host "$($xunit.Passed + $pester.Passed) passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Package {
    $destination = if ($PackageOutput) { [IO.Path]::GetFullPath($PackageOutput, (Get-Location).Path) } else { $out }
    New-Item -ItemType Directory -Path $destination -Force | Out-Null
    foreach ($old in @("CinderBackup-$version.zip", "CinderBackup.$version.nupkg", "cinder-backup.$version.nupkg")) {
        $path = Join-Path $destination $old
        if (Test-Path -LiteralPath $path) { Remove-Item -LiteralPath $path }
    }
    $made = @()
    if ($Packages -contains 'Module') {
        if (-not (Test-Path $moduleOut)) { Invoke-Build }
        $made += Join-Path $destination "CinderBackup-$version.zip"
        Compress-Archive -Path $moduleOut -DestinationPath $made[-1]
        Compress-PSResource -Path $moduleOut -DestinationPath $destination
        $made += Join-Path $destination "CinderBackup.$version.nupkg"
    }
    if ($Packages -contains 'Cli') { $made += Invoke-CliPackage $destination }
    foreach ($package in $made) {
        if (-not (Test-Path -LiteralPath $package)) { throw "Package did not produce $package." }
        Write-Host "Packaged $package"
    }
}

function Invoke-CliPackage {
    param([string] $Destination)
    # ReadyToRun needs a runtime identifier: this machine's (portable, e.g. linux-x64). The package holds net8.0 and
    # net10.0 builds; the runtime uses precompiled code only when it was compiled against its own major version.
    $rid = [Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    Invoke-Native dotnet @('pack', (Join-Path $root 'src/CinderBackup.Cli/CinderBackup.Cli.csproj'), '-c', $Configuration, "-p:Version=$version",
        '-r', $rid, '-p:PublishReadyToRun=true', '-o', $Destination) | Write-Host
    Join-Path $Destination "cinder-backup.$version.nupkg"
}

foreach ($t in $Task) {
    switch ($t) {
        'Clean' { Invoke-Clean }
        'Build' { Invoke-Build }
        'Test' { if (-not (Test-Path $moduleOut)) { Invoke-Build }; Invoke-Test }
        'Package' { Invoke-Package }
    }
}

# Success, whatever exit code the last native command left (scripts/test.sh exits with this).
exit 0
