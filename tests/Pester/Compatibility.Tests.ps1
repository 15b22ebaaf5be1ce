BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
    $script:repositoryRoot = Join-Path $PSScriptRoot '../..'
    $script:moduleBase = (Get-Module CinderBackup).ModuleBase

    function Get-FrameworkProblem {
        # Why a managed assembly would not load on .NET 8 (PowerShell 7.4), or $null: its TargetFrameworkAttribute
        # names a newer framework, or it references a newer System.Runtime, System.Private.CoreLib or netstandard.
        # Read from the metadata, without loading the assembly. Native files (no metadata) give 'native'.
        param([string] $Path)
        $stream = [IO.File]::OpenRead($Path)
        try {
            $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
            if (-not $pe.HasMetadata) { return 'native' }
            $md = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
            $problems = @()
            foreach ($handle in $md.GetAssemblyDefinition().GetCustomAttributes()) {
                $attribute = $md.GetCustomAttribute($handle)
                if ($attribute.Constructor.Kind -ne [System.Reflection.Metadata.HandleKind]::MemberReference) { continue }
                $constructor = $md.GetMemberReference([System.Reflection.Metadata.MemberReferenceHandle] $attribute.Constructor)
                if ($constructor.Parent.Kind -ne [System.Reflection.Metadata.HandleKind]::TypeReference) { continue }
                $type = $md.GetTypeReference([System.Reflection.Metadata.TypeReferenceHandle] $constructor.Parent)
                if ($md.GetString($type.Name) -ne 'TargetFrameworkAttribute') { continue }
                # The blob: prolog 01 00, then the string argument (a one-byte length is enough for a framework name).
                $blob = $md.GetBlobBytes($attribute.Value)
                $framework = [Text.Encoding]::UTF8.GetString($blob, 3, $blob[2])
                if ($framework -match '^\.NETCoreApp,Version=v(\d+\.\d+)$') {
                    if ([version] $Matches[1] -gt [version] '8.0') { $problems += "targets $framework" }
                }
                elseif ($framework -notmatch '^\.NETStandard,Version=v(1\.\d|2\.[01])$') {
                    $problems += "targets $framework"
                }
            }
            foreach ($handle in $md.AssemblyReferences) {
                $reference = $md.GetAssemblyReference($handle)
                $name = $md.GetString($reference.Name)
                $limit = switch ($name) {
                    'netstandard' { [version] '2.1.0.0' }
                    { $_ -in 'System.Runtime', 'System.Private.CoreLib', 'mscorlib' } { [version] '8.0.0.0' }
                    default { $null }
                }
                if ($limit -and $reference.Version -gt $limit) { $problems += "references $name $($reference.Version)" }
            }
            if ($problems) { return $problems -join '; ' }
            return $null
        }
        finally {
            $stream.Dispose()
        }
    }
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'What the module needs and what the suite runs on' {
    It 'ships no assembly that needs a framework above net8.0 (PowerShell 7.4)' {
        $files = @(Get-ChildItem -LiteralPath $script:moduleBase -Recurse -File -Filter '*.dll')
        $managed = @($files | Where-Object { (Get-FrameworkProblem -Path $_.FullName) -ne 'native' })
        $managed.Name | Should -Contain 'CinderBackup.dll'
        $managed.Count | Should -BeGreaterOrEqual 5 -Because 'the module, its engine and their dependencies are checked'
        $problems = foreach ($file in $managed) {
            $problem = Get-FrameworkProblem -Path $file.FullName
            if ($problem) { "$($file.FullName.Substring($script:moduleBase.Length + 1)): $problem" }
        }
        $problems | Should -BeNullOrEmpty
    }

    It 'recognises an assembly built for a newer framework (the check can fail)' {
        # PowerShell 7.6 itself targets net10.0.
        Get-FrameworkProblem -Path (Join-Path $PSHOME 'System.Management.Automation.dll') |
            Should -Match 'targets \.NETCoreApp,Version=v10\.0|references System\.Runtime 10\.'
    }

    It 'states in the README the PowerShell the suite runs on and the oldest one supported' {
        $readme = Get-Content -Raw -LiteralPath (Join-Path $script:repositoryRoot 'README.md')
        $tools = Get-Content -Raw -LiteralPath (Join-Path $script:repositoryRoot '.config/dotnet-tools.json') | ConvertFrom-Json
        $pester = ([xml] (Get-Content -Raw -LiteralPath (Join-Path $script:repositoryRoot 'tools/RestorePester/RestorePester.csproj'))).Project.ItemGroup.PackageDownload.Version.Trim('[', ']')
        $manifest = Import-PowerShellDataFile -LiteralPath (Join-Path $script:moduleBase 'CinderBackup.psd1')
        $readme | Should -Match "PowerShell $([regex]::Escape($manifest.PowerShellVersion)) or later"
        $readme | Should -Match "runs on PowerShell $([regex]::Escape($tools.tools.powershell.version)) with Pester $([regex]::Escape($pester))"
    }
}
