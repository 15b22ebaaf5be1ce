BeforeAll {
    # build.ps1's result counting and failure list, on made-up result files: CI's verdict and its log's tail come from them.
    $ErrorActionPreference = 'Stop'
    $script:root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $names = 'Get-SolutionTestProject', 'Measure-XunitResult', 'Format-FailureMessage', 'Write-FailedTest'
    $ast = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path $script:root 'build.ps1'), [ref] $null, [ref] $null)
    $functions = $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] -and $n.Name -in $names }, $true)
    if (@($functions).Count -ne $names.Count) { throw "build.ps1 lacks one of $($names -join ', ')" }
    foreach ($f in $functions) { . ([scriptblock]::Create($f.Extent.Text)) }

    $script:dir = Join-Path ([IO.Path]::GetTempPath()) "cbbuild-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
    New-Item -ItemType Directory -Path $script:dir | Out-Null

    function New-Trx([string] $Path, [object[]] $Results) {
        # A TRX file as `dotnet test --logger trx` writes one: a skipped xunit test is outcome NotExecuted, and the
        # Counters' notExecuted stays 0 for it.
        $rows = foreach ($r in $Results) {
            $message = if ($r.Message) { "<Output><ErrorInfo><Message>$([Security.SecurityElement]::Escape($r.Message))</Message></ErrorInfo></Output>" }
            "<UnitTestResult testName=`"$($r.Name)`" outcome=`"$($r.Outcome)`">$message</UnitTestResult>"
        }
        $passed = @($Results | Where-Object Outcome -eq 'Passed').Count
        $executed = @($Results | Where-Object Outcome -ne 'NotExecuted').Count
        Set-Content -LiteralPath $Path -Value @"
<?xml version="1.0" encoding="utf-8"?>
<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <Results>$($rows -join '')</Results>
  <ResultSummary outcome="Completed"><Counters total="$($Results.Count)" executed="$executed" passed="$passed" failed="$($executed - $passed)" notExecuted="0" /></ResultSummary>
</TestRun>
"@
    }
}

AfterAll {
    Remove-Item -LiteralPath $script:dir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'build.ps1 test results' {
    BeforeAll {
        $script:trxDir = Join-Path $script:dir 'xunit'
        New-Item -ItemType Directory -Path $script:trxDir | Out-Null
        New-Trx (Join-Path $script:trxDir 'A.Tests.trx') @(
            [pscustomobject]@{ Name = 'A.Tests.Ok'; Outcome = 'Passed' }
            [pscustomobject]@{ Name = 'A.Tests.Skipped'; Outcome = 'NotExecuted' }
            [pscustomobject]@{ Name = 'A.Tests.Broken'; Outcome = 'Failed'; Message = "Assert.Equal() Failure: Strings differ`n  (pos 0)`nExpected: `"available`"`nActual:   `"error`"`nmore" })
        $script:junit = Join-Path $script:dir 'Pester.junit.xml'
        Set-Content -LiteralPath $script:junit -Value @'
<testsuites><testsuite name="s"><testcase name="Get-X.works" /><testcase name="Get-X.fails"><failure message="Expected 1, but got 2." /></testcase></testsuite></testsuites>
'@
    }

    It 'counts a skipped test as failed, unless skips are allowed, and a project without results as failed' {
        $projects = @(Get-SolutionTestProject).Count
        $strict = Measure-XunitResult -Directory $script:trxDir -ExitCode 1 -Projects 1
        $strict.Passed | Should -Be 1
        $strict.Failed | Should -Be 2
        (Measure-XunitResult -Directory $script:trxDir -ExitCode 1 -Projects 1 -AllowSkipped).Failed | Should -Be 1
        $all = Measure-XunitResult -Directory $script:trxDir -ExitCode 1
        $all.Failed | Should -Be (2 + $projects - 1)
        $all.Notes | Should -Be "$($projects - 1) of $projects test projects left no results"
    }

    It 'names every failed xunit and Pester test with the start of its message, and nothing else' {
        $out = @(Write-FailedTest -Trx @(Join-Path $script:trxDir 'A.Tests.trx') -JUnit $script:junit 6>&1 | ForEach-Object { "$_" })
        $out[0] | Should -Be 'Failed tests (2):'
        $out[1] | Should -Be '  A.Tests: A.Tests.Broken (Failed): Assert.Equal() Failure: Strings differ | (pos 0) | Expected: "available" | Actual:   "error"'
        $out[2] | Should -Be '  Pester: Get-X.fails: Expected 1, but got 2.'
        $out.Count | Should -Be 3
    }

    It 'prints nothing when nothing failed, and cuts a long message' {
        $clean = Join-Path $script:dir 'clean.trx'
        New-Trx $clean @([pscustomobject]@{ Name = 'B.Ok'; Outcome = 'Passed' })
        @(Write-FailedTest -Trx @($clean) -JUnit (Join-Path $script:dir 'absent.xml') 6>&1).Count | Should -Be 0
        (Format-FailureMessage ('x' * 400)).Length | Should -Be 303
    }
}
