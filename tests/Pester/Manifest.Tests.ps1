BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:module = Get-Module CinderBackup
    $script:manifestPath = Join-Path $module.ModuleBase 'CinderBackup.psd1'
    $script:manifest = Import-PowerShellDataFile -Path $manifestPath
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'CinderBackup manifest' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $script:manifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports exactly the cmdlets the dll defines' {
        $exported = @($script:module.ExportedCmdlets.Keys | Sort-Object)
        $declared = @($script:manifest.CmdletsToExport | Sort-Object)
        $declared.Count | Should -Be (Get-ExpectedCmdletName).Count
        $exported | Should -Be $declared
        $inDll = [System.AppDomain]::CurrentDomain.GetAssemblies() |
            Where-Object { $_.GetName().Name -eq 'CinderBackup' } |
            ForEach-Object { $_.GetExportedTypes() } |
            ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { '{0}-{1}' -f $_.VerbName, $_.NounName } | Sort-Object
        $inDll | Should -Be $declared
    }

    It 'exports no functions, aliases or variables' {
        $script:manifest.FunctionsToExport | Should -BeNullOrEmpty
        $script:manifest.AliasesToExport | Should -BeNullOrEmpty
        $script:manifest.VariablesToExport | Should -BeNullOrEmpty
    }

    It 'targets PowerShell 7.4 Core' {
        $script:manifest.PowerShellVersion | Should -Be '7.4'
        $script:manifest.CompatiblePSEditions | Should -Be @('Core')
        $script:manifest.PrivateData.PSData.Tags | Should -Contain 'PSEdition_Core'
    }

    It 'has the same version as CinderBackup.dll' {
        $dll = Join-Path $script:module.ModuleBase 'CinderBackup.dll'
        $assemblyVersion = [System.Reflection.AssemblyName]::GetAssemblyName($dll).Version
        $moduleVersion = [version] $script:manifest.ModuleVersion
        $assemblyVersion.Major | Should -Be $moduleVersion.Major
        $assemblyVersion.Minor | Should -Be $moduleVersion.Minor
        $assemblyVersion.Build | Should -Be $moduleVersion.Build
    }

    It 'imports without warnings' {
        # Stop on an import error too: otherwise the count of warnings is 0 and the test passes on a module that failed.
        $run = Invoke-FreshPwsh -Command "Import-Module '$($script:manifestPath)' -WarningVariable w -WarningAction SilentlyContinue -ErrorAction Stop; `"`$(`$w.Count) `$(@(Get-Command -Module CinderBackup).Count)`""
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $run.Output.Trim() | Should -Be "0 $($script:manifest.CmdletsToExport.Count)"
    }
}
