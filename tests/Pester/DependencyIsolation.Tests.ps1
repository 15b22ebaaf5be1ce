# The module's dependencies load in its own AssemblyLoadContext: a session that already holds other versions of
# YamlDotNet (powershell-yaml), Microsoft.Data.Sqlite/SQLitePCLRaw or AWSSDK (AWS.Tools), or that loads them after
# CinderBackup, backs up and restores, and users' scripts still see [CinderBackup.VolumeBackup] and its format view.
# Each order runs in its own fresh pwsh: nothing leaves PowerShell's default context once loaded.

BeforeDiscovery {
    $script:orders = @(@{ Order = 'OlderFirst' }, @{ Order = 'ModuleFirst' })
}

BeforeAll {
    $modulePath = if ($env:CINDERBACKUP_MODULE) { $env:CINDERBACKUP_MODULE } else { Join-Path $PSScriptRoot '../../out/CinderBackup' }
    $script:modulePath = (Resolve-Path -LiteralPath $modulePath).ProviderPath
    if (-not (Test-Path -LiteralPath (Join-Path $script:modulePath 'CinderBackup.psd1'))) {
        throw "The module is not built: $script:modulePath (run ./build.ps1)."
    }
    # The older versions come from NuGet, as Pester does: a PackageDownload restored into the package folder.
    $fixture = Join-Path $PSScriptRoot 'Fixtures/OlderDependencies.csproj'
    $restore = & dotnet restore $fixture 2>&1
    if ($LASTEXITCODE -ne 0) { throw "dotnet restore $fixture failed:`n$($restore -join "`n")" }
    $script:packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $script:pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')

    function Invoke-IsolationScenario([string] $Order) {
        $dataRoot = Join-Path ([IO.Path]::GetTempPath()) ('cbiso-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
        New-Item -ItemType Directory -Path $dataRoot | Out-Null
        try {
            $output = & $script:pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Fixtures/Isolation.ps1') `
                -ModulePath $script:modulePath -DataRoot $dataRoot -Packages $script:packages -Order $Order 2>&1
            $json = $output | Where-Object { $_ -is [string] -and $_.StartsWith('{') } | Select-Object -Last 1
            if (-not $json) { throw "The scenario printed no result (exit $LASTEXITCODE):`n$($output -join "`n")" }
            return $json | ConvertFrom-Json -AsHashtable
        }
        finally {
            Remove-Item -LiteralPath $dataRoot -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    function Get-LoadedAssembly($Result, [string] $Name, [string] $Context) {
        @($Result.Assemblies | Where-Object { $_.Name -eq $Name -and $_.Context -eq $Context })
    }
}

Describe 'Dependency isolation (<Order>)' -ForEach $orders {
    BeforeAll {
        $result = Invoke-IsolationScenario $Order
        $cycles = @(if ($Order -eq 'OlderFirst') { 'first' } else { 'first', 'second' })
    }

    It 'ran every step without an error' {
        $result.Error | Should -BeNullOrEmpty
        $expected = if ($Order -eq 'OlderFirst') { 'older loaded', 'older used', 'cycle first', 'older used' } else { 'cycle first', 'older loaded', 'older used', 'cycle second' }
        $result.Steps | Should -Be $expected
    }

    It 'backs up and restores the same bytes' {
        foreach ($cycle in $cycles) {
            $result[$cycle].BackupStatus | Should -Be 'available'
            $result[$cycle].SameBytes | Should -BeTrue
        }
    }

    It 'keeps the public types resolvable, -is working and the format view applied' {
        foreach ($cycle in $cycles) {
            $result[$cycle].TypeName | Should -Be 'CinderBackup.VolumeBackup'
            $result[$cycle].IsVolumeBackup | Should -BeTrue
            $result[$cycle].TypeContext | Should -Be 'Default'
            $result[$cycle].FormatViews | Should -Be 1
            $result[$cycle].TableHeader | Should -Match '^ID\s+Name\s+Description\s+Status\s+Size$'
        }
    }

    It 'asked the S3 repository through its own AWSSDK (the server is not there)' {
        foreach ($cycle in $cycles) {
            $result[$cycle].OffsiteReachable | Should -Be $false
            $result[$cycle].OffsiteProblem | Should -Match 'does not answer: Connection refused'
        }
    }

    It 'leaves the session its own older <Name> <Version> in the default context' -ForEach @(
        @{ Name = 'YamlDotNet'; Version = '11.0.0.0' }
        @{ Name = 'Microsoft.Data.Sqlite'; Version = '6.0.7.0' }
        @{ Name = 'SQLitePCLRaw.core'; Version = '2.0.6.1341' }
        @{ Name = 'AWSSDK.Core'; Version = '3.3.0.0' }
        @{ Name = 'AWSSDK.S3'; Version = '3.3.0.0' }
    ) {
        $session = @(Get-LoadedAssembly $result $Name 'Default')
        $session.Count | Should -Be 1
        $session[0].Version | Should -Be $Version
        $session[0].Location | Should -Not -BeLike "$modulePath*"
    }

    It 'loads the engine''s <Name> from the module''s dependencies folder in its own context' -ForEach @(
        @{ Name = 'CinderBackup.Engine' }
        @{ Name = 'YamlDotNet' }
        @{ Name = 'Microsoft.Data.Sqlite' }
        @{ Name = 'SQLitePCLRaw.core' }
        @{ Name = 'AWSSDK.Core' }
        @{ Name = 'AWSSDK.S3' }
    ) {
        $engine = @(Get-LoadedAssembly $result $Name 'CinderBackup')
        $engine.Count | Should -Be 1
        $engine[0].Location | Should -Be (Join-Path $modulePath "dependencies/$Name.dll")
        Get-LoadedAssembly $result $Name 'Default' | Where-Object Location -Like "$modulePath*" | Should -BeNullOrEmpty
    }

    It 'shares the cmdlets and the public types with the session' -ForEach @(
        @{ Name = 'CinderBackup' }
        @{ Name = 'CinderBackup.Models' }
    ) {
        $shared = @(Get-LoadedAssembly $result $Name 'Default')
        $shared.Count | Should -Be 1
        $shared[0].Location | Should -Be (Join-Path $modulePath "$Name.dll")
        Get-LoadedAssembly $result $Name 'CinderBackup' | Should -BeNullOrEmpty
    }
}

Describe 'The module layout' {
    It 'holds only the cmdlets and the public types at the top' {
        $top = Get-ChildItem -LiteralPath $modulePath -Filter '*.dll' -File | Select-Object -ExpandProperty Name | Sort-Object
        $top | Should -Be @('CinderBackup.dll', 'CinderBackup.Models.dll')
    }

    It 'ships native SQLite for the supported platforms only' {
        $rids = Get-ChildItem -LiteralPath (Join-Path $modulePath 'dependencies/runtimes') -Directory | Select-Object -ExpandProperty Name | Sort-Object
        $rids | Should -Be @('linux-arm64', 'linux-musl-x64', 'linux-x64', 'osx-arm64', 'osx-x64', 'win-arm64', 'win-x64')
    }
}
