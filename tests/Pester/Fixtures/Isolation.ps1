# Run by DependencyIsolation.Tests.ps1 in a fresh pwsh (assemblies never leave PowerShell's default context, so each
# order needs its own process). Loads older YamlDotNet, Microsoft.Data.Sqlite, SQLitePCLRaw and AWSSDK as other
# modules do, before or after importing CinderBackup, backs a volume up and restores it, and prints one JSON object
# describing what happened and which assembly versions live in which load context.
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DataRoot,
    [Parameter(Mandatory)] [string] $Packages,
    [Parameter(Mandatory)] [ValidateSet('OlderFirst', 'ModuleFirst')] [string] $Order
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$env:CINDERBACKUP_HOME = Join-Path $DataRoot 'home'
$env:XDG_CONFIG_HOME = Join-Path $DataRoot 'xdg-config'
foreach ($name in 'OS_PROJECT_NAME', 'OS_USERNAME', 'CINDERBACKUP_ADMIN', 'CINDERBACKUP_ZSTD') {
    Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue
}
# A configuration file, so the engine parses YAML; an S3 repository on a closed port, so it loads AWSSDK.
$config = Join-Path $DataRoot 'cinderbackup.yaml'
Set-Content -LiteralPath $config -Value @"
backup_file_size: 8MiB
backup_compression_algorithm: zstd
repositories:
  local:
    default: true
  offsite:
    backup_driver: s3
    backup_s3_endpoint_url: http://127.0.0.1:9
    backup_s3_retry_max_attempts: 1
    backup_s3_timeout: 5
"@
$env:CINDERBACKUP_CONFIG = $config
$env:AWS_ACCESS_KEY_ID = 'AKIAISOLATIONTEST'
$env:AWS_SECRET_ACCESS_KEY = 'isolation-test-secret'

$result = [ordered]@{ Order = $Order; Steps = [Collections.Generic.List[string]]::new() }

function Import-Older {
    Add-Type -Path (Join-Path $Packages 'yamldotnet/11.2.1/lib/netstandard2.1/YamlDotNet.dll')
    Add-Type -Path (Join-Path $Packages 'sqlitepclraw.core/2.0.6/lib/netstandard2.0/SQLitePCLRaw.core.dll')
    Add-Type -Path (Join-Path $Packages 'microsoft.data.sqlite.core/6.0.7/lib/net6.0/Microsoft.Data.Sqlite.dll')
    Add-Type -Path (Join-Path $Packages 'awssdk.core/3.7.402/lib/net8.0/AWSSDK.Core.dll')
    Add-Type -Path (Join-Path $Packages 'awssdk.s3/3.7.304.1/lib/net8.0/AWSSDK.S3.dll')
    $result.Steps.Add('older loaded')
}

function Use-Older {
    # The session's own copies keep working: parse YAML, build a connection string, an S3 configuration.
    $yaml = [YamlDotNet.Serialization.DeserializerBuilder]::new().Build().Deserialize([IO.StringReader]::new("answer: 42`n"))
    if ($yaml['answer'] -ne '42') { throw "YamlDotNet 11 parsed '$($yaml['answer'])'" }
    $builder = [Microsoft.Data.Sqlite.SqliteConnectionStringBuilder]::new('Data Source=x.db')
    if ($builder.DataSource -ne 'x.db') { throw 'Microsoft.Data.Sqlite 6 failed' }
    $s3 = [Amazon.S3.AmazonS3Config]::new()
    $s3.ServiceURL = 'http://127.0.0.1:9'
    $result.Steps.Add('older used')
}

function Invoke-Cycle([string] $Name) {
    $volume = New-BlockVolume -Name $Name -Size 1
    $bytes = [byte[]]::new(3MB)
    [Random]::new(7).NextBytes($bytes)
    $text = [Text.Encoding]::ASCII.GetBytes(('line of text ' * 100000))
    $stream = [IO.File]::OpenWrite($volume.Path)
    try { $stream.Write($bytes, 0, $bytes.Length); $stream.Write($text, 0, $text.Length) } finally { $stream.Dispose() }
    $backup = New-VolumeBackup -Volume $Name -Name "$Name-backup"
    $restored = Restore-VolumeBackup -Backup $backup.Id -Confirm:$false
    $target = Get-BlockVolume -VolumeId $restored.VolumeId
    $length = $bytes.Length + $text.Length
    $hash = { param($path) $s = [IO.File]::OpenRead($path); try { $buffer = [byte[]]::new($length); $s.ReadExactly($buffer); [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($buffer)) } finally { $s.Dispose() } }
    $repository = Get-BackupRepository -Name offsite
    $result["$Name"] = [ordered]@{
        BackupStatus     = $backup.Status
        SameBytes        = (& $hash $volume.Path) -eq (& $hash $target.Path)
        IsVolumeBackup   = $backup -is [CinderBackup.VolumeBackup]
        TypeName         = ([type]'CinderBackup.VolumeBackup').FullName
        TypeContext      = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext([CinderBackup.VolumeBackup].Assembly).Name
        TableHeader      = (($backup | Format-Table | Out-String).Trim() -split "`n")[0].Trim()
        FormatViews      = @(Get-FormatData -TypeName 'CinderBackup.VolumeBackup').Count
        OffsiteReachable = $repository.Reachable
        OffsiteProblem   = $repository.Problem
    }
    $result.Steps.Add("cycle $Name")
}

try {
    if ($Order -eq 'OlderFirst') {
        Import-Older
        Use-Older
        Import-Module -Name (Join-Path $ModulePath 'CinderBackup.psd1')
        Invoke-Cycle 'first'
        Use-Older
    }
    else {
        Import-Module -Name (Join-Path $ModulePath 'CinderBackup.psd1')
        Invoke-Cycle 'first'
        Import-Older
        Use-Older
        Invoke-Cycle 'second'
    }
}
catch {
    $result.Error = $_.Exception.ToString()
}

$result.Assemblies = @([AppDomain]::CurrentDomain.GetAssemblies() |
        Where-Object { $_.GetName().Name -in 'YamlDotNet', 'Microsoft.Data.Sqlite', 'SQLitePCLRaw.core', 'AWSSDK.Core', 'AWSSDK.S3', 'CinderBackup', 'CinderBackup.Models', 'CinderBackup.Engine' } |
        ForEach-Object {
            [ordered]@{
                Name     = $_.GetName().Name
                Version  = $_.GetName().Version.ToString()
                Context  = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name
                Location = $_.Location
            }
        })
$result | ConvertTo-Json -Depth 5 -Compress
