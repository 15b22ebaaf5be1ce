@{
    RootModule           = 'CinderBackup.dll'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core')
    GUID                 = '5f3c2a8e-6b1d-4c7e-9a0f-2d8b7e41c953'
    Author               = 'CinderBackup developers'
    CompanyName          = 'CinderBackup'
    Copyright            = '(c) CinderBackup developers. Apache-2.0.'
    Description          = 'Cinder-compatible full and incremental block volume backups to POSIX, NFS and S3 repositories, with a catalog, quotas, verified restores and record export/import.'
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('CinderBackup.format.ps1xml')
    TypesToProcess       = @()
    NestedModules        = @()
    CmdletsToExport      = @(
        'Get-BackupContext'
        'Set-BackupContext'
        'New-BlockVolume'
        'Get-BlockVolume'
        'Set-BlockVolume'
        'Remove-BlockVolume'
        'Register-BlockVolume'
        'Mount-BlockVolume'
        'Dismount-BlockVolume'
        'Get-VolumeType'
        'New-VolumeType'
        'Remove-VolumeType'
        'New-VolumeSnapshot'
        'Get-VolumeSnapshot'
        'Remove-VolumeSnapshot'
        'New-VolumeBackup'
        'Get-VolumeBackup'
        'Restore-VolumeBackup'
        'Remove-VolumeBackup'
        'Limit-VolumeBackup'
        'Test-VolumeBackup'
        'Export-BackupRecord'
        'Import-BackupRecord'
        'Set-VolumeBackup'
        'Wait-VolumeBackup'
        'Get-BackupQuota'
        'Set-BackupQuota'
        'Get-BackupService'
        'Start-BackupService'
        'Get-BackupRepository'
        'Find-BackupRecord'
        'Backup-BackupCatalog'
        'Restore-BackupCatalog'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Backup', 'Cinder', 'OpenStack', 'BlockStorage', 'Volume', 'S3', 'NFS', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/cinderbackup/cinderbackup'
            LicenseUri   = 'https://www.apache.org/licenses/LICENSE-2.0'
            ReleaseNotes = 'Backups of volumes to POSIX, NFS and S3 repositories in Cinder''s format; lifecycle, quotas, records, discovery and catalog backup.'
        }
    }
}
