BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:readme = Join-Path $PSScriptRoot '../../README.md'

    function Get-PowerShellBlock {
        # The ```powershell code blocks of a markdown file, in order.
        param([string] $Path)
        $blocks = [Collections.Generic.List[string]]::new()
        $current = $null
        foreach ($line in Get-Content -LiteralPath $Path) {
            if ($null -eq $current) {
                if ($line -match '^```powershell\s*$') { $current = [Text.StringBuilder]::new() }
            }
            elseif ($line -match '^```\s*$') {
                $blocks.Add($current.ToString())
                $current = $null
            }
            else {
                [void] $current.AppendLine($line)
            }
        }
        if ($null -ne $current) { throw "${Path}: a powershell block is not closed." }
        return , $blocks.ToArray()
    }
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'README' {
    It 'runs its PowerShell examples as written, in order, in a fresh pwsh' {
        $blocks = Get-PowerShellBlock -Path $script:readme
        $blocks.Count | Should -BeGreaterOrEqual 4
        $blocks[0] | Should -Match 'Import-Module \./out/CinderBackup/CinderBackup\.psd1'
        $work = Join-Path $script:testRoot 'readme'
        New-Item -ItemType Directory -Path $work | Out-Null
        # The only change: the module under test instead of ./out/CinderBackup of a checkout. The data directory is a
        # private one (CINDERBACKUP_HOME), and no configuration file applies (embedded defaults, as for a new user).
        $modulePath = Get-CinderBackupModulePath
        for ($i = 0; $i -lt $blocks.Count; $i++) {
            Set-Content -LiteralPath (Join-Path $work "block$($i + 1).ps1") -Value $blocks[$i].Replace('./out/CinderBackup/', "$modulePath/")
        }
        # Each block dot-sourced (its variables stay for the next, as in one session); any error, terminating or
        # not, ends the run naming the block.
        Set-Content -LiteralPath (Join-Path $work 'run-readme.ps1') -Value @"
for (`$i = 1; `$i -le $($blocks.Count); `$i++) {
    `$Error.Clear()
    try { . (Join-Path `$PSScriptRoot "block`$i.ps1") }
    catch { Write-Output "README block `$i of $($blocks.Count) failed: `$_"; exit 1 }
    if (`$Error.Count -gt 0) { Write-Output "README block `$i of $($blocks.Count) wrote an error: `$(`$Error[0])"; exit 1 }
}
Write-Output 'README: all $($blocks.Count) blocks ran without an error.'
"@
        $run = Invoke-FreshPwsh -File (Join-Path $work 'run-readme.ps1') -WorkingDirectory $work -Environment @{
            CINDERBACKUP_HOME = Join-Path $work 'home'
            CINDERBACKUP_CONFIG = $null
            CINDERBACKUP_MODULE = $null
        }
        $run.ExitCode | Should -Be 0 -Because "$($run.Output)$($run.Errors)"
        $run.Output | Should -Match "README: all $($blocks.Count) blocks ran without an error\."
        $run.Errors | Should -BeNullOrEmpty
    }
}
