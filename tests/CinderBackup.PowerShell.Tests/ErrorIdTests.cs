using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace CinderBackup.PowerShell.Tests;

/// <summary>
/// Every error id that about_CinderBackup documents, produced through the cmdlets: the ErrorRecord has that id, its
/// category, the engine's message exactly (never an AggregateException's "One or more errors occurred.") and the
/// backup, volume, repository or file concerned as its target. The documented ids and the ids tested here agree.
/// </summary>
public sealed class ErrorIdTests
{
    private const string Volume = "New-TestVolume -Name v | Out-Null";
    private const string Backup = Volume + "; $b = New-VolumeBackup -Volume v -Name b; $v0 = @{ b = $b.Id; vol = $b.VolumeId; c = $b.Container }";
    private const string SlowJob = "Add-Content -LiteralPath $env:CINDERBACKUP_CONFIG -Value 'backup_io_bandwidth_limit: 1MiB'; New-TestVolume -Name slow -DataMiB 64 | Out-Null; $j = New-VolumeBackup -Volume slow -Name sb -AsJob; $v0 = @{ sb = (Get-VolumeBackup -Name sb).Id }; ";

    public static IReadOnlyList<ErrorCase> Cases { get; } = new ErrorCase[]
    {
        new("ConfigInvalid", ErrorCategory.InvalidData, "@{}", "Get-BlockVolume",
            "Configuration file '{config}', line 2: unknown key 'no_such_option'.", "{config}", "no_such_option: 1\n"),
        new("ConfigNotFound", ErrorCategory.ObjectNotFound, "@{}", "Set-BackupContext -ConfigPath (Join-Path $root 'missing.yaml')",
            "Configuration file '{root}/missing.yaml' does not exist.", "{root}/missing.yaml"),
        new("CatalogCorrupt", ErrorCategory.InvalidData, "New-Item -ItemType Directory $env:CINDERBACKUP_HOME | Out-Null; Set-Content (Join-Path $env:CINDERBACKUP_HOME 'catalog.db') ('x' * 5000); @{}", "Get-BlockVolume",
            "The catalog '{home}/catalog.db' is corrupt or not an SQLite database (SQLite Error 26: 'file is not a database'). Restore it from a catalog backup, or move it away and rebuild the records with discovery.", "{home}/catalog.db"),
        new("CatalogReadOnly", ErrorCategory.PermissionDenied, Volume + "; [IO.File]::SetUnixFileMode((Join-Path $env:CINDERBACKUP_HOME 'catalog.db'), 'UserRead'); @{}", "New-BlockVolume -Name w -Size 1",
            "The catalog '{home}/catalog.db' is read-only; nothing was changed.", "{home}/catalog.db"),
        new("CatalogLocked", ErrorCategory.ResourceBusy, Volume + "; @{}", "LOCK; New-BlockVolume -Name w -Size 1",
            "The catalog '{home}/catalog.db' is locked by another process; gave up after waiting 1 s.", "{home}/catalog.db", "catalog_busy_timeout: 1\n"),
        new("CatalogUnavailable", ErrorCategory.WriteError, "Set-Content (Join-Path $root 'afile') 'x'; $env:CINDERBACKUP_HOME = Join-Path $root 'afile/home'; @{}", "Get-BlockVolume",
            "Cannot create the catalog '{root}/afile/home/catalog.db': Could not find a part of the path '{root}/afile/home'.", "{root}/afile/home/catalog.db"),
        new("CatalogTooNew", ErrorCategory.NotImplemented, Volume + "; @{}", "TOO-NEW; Get-BlockVolume",
            "~The catalog '{home}/catalog.db' has schema version 999, newer than this CinderBackup understands \\(\\d+\\)\\. Upgrade CinderBackup\\.", "{home}/catalog.db"),
        new("InvalidName", ErrorCategory.InvalidArgument, "@{}", "New-BlockVolume -Name ('n' * 256) -Size 1",
            "Invalid input received: name has 256 characters, more than the limit of 255.", "{n256}"),
        new("InvalidSize", ErrorCategory.InvalidArgument, Volume + "; @{ v = (Get-BlockVolume -Name v).Id }", "Set-BlockVolume -Volume v -Size 1 -Confirm:$false",
            "Invalid input received: New size for extend must be greater than current size. (current: 1, extended: 1).", "{v}"),
        new("InvalidPath", ErrorCategory.ObjectNotFound, "@{}", "Register-BlockVolume -Name r -Path (Join-Path $root 'no-such.img')",
            "The path '{root}/no-such.img' does not exist.", "{root}/no-such.img"),
        new("InvalidArgument", ErrorCategory.InvalidArgument, Backup + "; @{}", "Export-BackupRecord -Backup b -Path (Join-Path $root 'a.yaml') -LiteralPath (Join-Path $root 'b.yaml')",
            "Give -Path or -LiteralPath, not both.", "{root}/a.yaml"),
        new("VolumeNotFound", ErrorCategory.ObjectNotFound, "@{}", "New-VolumeBackup -Volume nope",
            "No volume with a name or ID of 'nope' exists.", "nope"),
        new("VolumeAmbiguous", ErrorCategory.InvalidArgument, "New-BlockVolume -Name dup -Size 1 | Out-Null; New-BlockVolume -Name dup -Size 1 | Out-Null; @{}", "New-VolumeBackup -Volume dup",
            "More than one volume with name dup exists. Use the volume ID instead.", "dup"),
        new("VolumeInvalidState", ErrorCategory.InvalidOperation, Volume + "; New-TestVolume -Name w | Out-Null; $s = New-VolumeSnapshot -Volume w -Name s; @{ v = (Get-BlockVolume -Name v).Id; w = (Get-BlockVolume -Name w).Id }", "New-VolumeBackup -Volume v -Snapshot s",
            "Invalid volume: Volume {v} does not match with snapshot.volume_id {w}.", "{v}"),
        new("VolumeInUse", ErrorCategory.InvalidOperation, Volume + "; Mount-BlockVolume -Volume v -InstanceId i1 -Device /dev/vdc; @{ v = (Get-BlockVolume -Name v).Id }", "Remove-BlockVolume -Volume v -Confirm:$false",
            "Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer. (volume 'v' ({v}) is in-use (Attached to i1 on /dev/vdc))", "{v}"),
        new("VolumeHasSnapshots", ErrorCategory.InvalidOperation, Volume + "; New-VolumeSnapshot -Volume v -Name s | Out-Null; @{ v = (Get-BlockVolume -Name v).Id }", "Remove-BlockVolume -Volume v -Confirm:$false",
            "Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer. (volume 'v' ({v}) has 1 snapshot(s))", "{v}"),
        new("VolumeIOError", ErrorCategory.WriteError, "$r = New-BlockVolume -Name r -Size 1; Remove-Item (Join-Path $env:CINDERBACKUP_HOME ('volumes/volume-' + $r.Id)); @{ r = $r.Id }", "New-VolumeSnapshot -Volume r -Name s",
            "Cannot snapshot volume 'r' ({r}): Could not find file '{home}/volumes/volume-{r}'.", "{r}"),
        new("VolumeStatusInvalid", ErrorCategory.InvalidArgument, Volume + "; @{}", "Set-BlockVolume -Volume v -State deleting -Confirm:$false",
            "Cannot reset-state to deleting", "deleting"),
        new("VolumeTypeNotFound", ErrorCategory.ObjectNotFound, "@{}", "New-BlockVolume -Name t -Size 1 -VolumeType nope",
            "Volume type with name nope could not be found.", "nope"),
        new("VolumeTypeExists", ErrorCategory.ResourceExists, "New-VolumeType -Name io1 | Out-Null; @{}", "New-VolumeType -Name io1",
            "Volume Type io1 already exists.", "io1"),
        new("VolumeTypeInUse", ErrorCategory.InvalidOperation, "$t = New-VolumeType -Name io1; New-BlockVolume -Name t -Size 1 -VolumeType io1 | Out-Null; @{ t = $t.Id }", "Remove-VolumeType -VolumeType io1 -Confirm:$false",
            "Volume Type {t} deletion is not allowed with volumes present with the type.", "io1"),
        new("RepositoryMoved", ErrorCategory.ObjectNotFound, Backup + "; Rename-Item (Join-Path $env:CINDERBACKUP_HOME 'backup') 'moved'; $v0", "Restore-VolumeBackup -Backup b -Volume v -Force -Confirm:$false",
            "~^Backup {b} was written to repository 'default' at .* but repository 'default' now points to .*which does not exist, and no configured repository has that id\\..*nothing was changed\\.$", "default"),
        new("SnapshotNotFound", ErrorCategory.ObjectNotFound, Volume + "; @{}", "New-VolumeBackup -Volume v -Snapshot nope",
            "No snapshot with a name or ID of 'nope' exists.", "nope"),
        new("SnapshotAmbiguous", ErrorCategory.InvalidArgument, Volume + "; New-VolumeSnapshot -Volume v -Name dup | Out-Null; New-VolumeSnapshot -Volume v -Name dup | Out-Null; @{}", "New-VolumeBackup -Volume v -Snapshot dup",
            "More than one snapshot with name dup exists. Use the snapshot ID instead.", "dup"),
        new("SnapshotInvalidState", ErrorCategory.InvalidOperation, "Add-Content -LiteralPath $env:CINDERBACKUP_CONFIG -Value 'backup_io_bandwidth_limit: 1MiB'; New-TestVolume -Name slow -DataMiB 64 | Out-Null; $s = New-VolumeSnapshot -Volume slow -Name s; $j = New-VolumeBackup -Volume slow -Snapshot s -Name sb -AsJob; @{ s = $s.Id }", "Remove-VolumeSnapshot -Snapshot s -Confirm:$false",
            "Snapshot s ({s}) is backing-up; removing it force-deletes it, and this session cannot ask for confirmation: add -Force to force-delete it.", "{s}"),
        new("PolicyNotAuthorized", ErrorCategory.PermissionDenied, "Set-BackupContext -ProjectName demo -UserName alice -Admin:$false; @{}", "Set-BackupQuota -ProjectName demo -Backups 1",
            "Policy doesn't allow volume_extension:quotas:update to be performed.", "volume_extension:quotas:update"),
        new("InvalidContainer", ErrorCategory.InvalidArgument, Volume + "; @{}", "New-VolumeBackup -Volume v -Container '../outside'",
            "Invalid container '../outside': '..' is not allowed; it must stay inside the repository '{home}/backup'.", "../outside"),
        new("RepositoryError", ErrorCategory.InvalidOperation, Backup + "; @{ b = $b.Id }", "Add-Content -LiteralPath $env:CINDERBACKUP_CONFIG -Value 'backup_driver: s3'; Restore-VolumeBackup -Backup b -Name t -Confirm:$false",
            "The backup service currently configured for repository 'default' [cinder.backup.drivers.s3.S3BackupDriver] is not the backup service that was used to create backup {b} [cinder.backup.drivers.posix.PosixBackupDriver].", "{b}"),
        new("RepositoryNotFound", ErrorCategory.ObjectNotFound, Volume + "; @{}", "New-VolumeBackup -Volume v -Repository nope",
            "Repository 'nope' is not configured (configured: default; in '{config}').", "nope"),
        new("RepositoryUnavailable", ErrorCategory.ObjectNotFound, "@{}", "Find-BackupRecord -Container no/such",
            "Repository 'default': the container directory '{home}/backup/no/such' does not exist.", "{home}/backup/no/such"),
        new("RepositoryAccessDenied", ErrorCategory.InvalidData, Volume + "; @{}", "New-VolumeBackup -Volume v",
            "Repository 'default' (s3): no S3 credentials. Set backup_s3_store_access_key and backup_s3_store_secret_key in the configuration file (which must then be mode 0600), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment, or give them to the PowerShell session with Set-BackupContext -S3Credential.", "default", "backup_driver: s3\nbackup_s3_endpoint_url: http://127.0.0.1:9\nbackup_s3_retry_max_attempts: 1\n"),
        new("ContainerNotFound", ErrorCategory.ObjectNotFound, Volume + "; @{}", "New-VolumeBackup -Volume v -Container missing/dir",
            "Backup directory for container does not exist: '{home}/backup/missing/dir' (repository 'default'; backup_create_containers is false).", "{home}/backup/missing/dir", "backup_create_containers: false\n"),
        new("ConfigInsecure", ErrorCategory.InvalidData, "[IO.File]::SetUnixFileMode($env:CINDERBACKUP_CONFIG, 'UserRead, UserWrite, GroupRead, OtherRead'); @{}", "Get-BlockVolume",
            "Configuration file '{config}' holds credentials ('backup_s3_store_access_key', line 3) but other users may access it (mode 0644): make it private with 'chmod 600 {config}', or give the credentials through the environment instead.", "{config}", "backup_driver: s3\nbackup_s3_store_access_key: AKIAEXAMPLEKEY\nbackup_s3_store_secret_key: not-shown-secret\n"),
        new("BackupObjectMissing", ErrorCategory.InvalidData, Backup + "; $r = Export-BackupRecord -Backup b; Remove-VolumeBackup -Backup b -Confirm:$false; @{ b = $b.Id }", "$r | Import-BackupRecord -Verify",
            "~Backup {b}: its metadata object 'volume_{vol}_\\d{14}_backup_{b}_metadata' is not in container '{c}' of repository '{home}/backup'; the backup is incomplete or was deleted\\.", "~volume_{vol}_\\d{14}_backup_{b}_metadata"),
        new("BackupCorrupt", ErrorCategory.InvalidData, Backup + "; $m = Get-ChildItem -Recurse -File (Join-Path $env:CINDERBACKUP_HOME 'backup') | Where-Object Name -like '*_metadata'; Add-Content -LiteralPath $m.FullName -Value ' '; @{ b = $b.Id }", "Test-VolumeBackup -Backup b",
            "~Backup {b}: its document 'volume_{vol}_\\d{14}_backup_{b}_metadata' does not match the SHA-256 recorded when it was written; it was changed or damaged\\.", "{b}"),
        new("BackupNotFound", ErrorCategory.ObjectNotFound, "@{}", "Restore-VolumeBackup -Backup nope -Confirm:$false",
            "No backup with a name or ID of 'nope' exists.", "nope"),
        new("BackupAmbiguous", ErrorCategory.InvalidArgument, Volume + "; New-VolumeBackup -Volume v -Name dup | Out-Null; New-VolumeBackup -Volume v -Name dup | Out-Null; @{}", "Restore-VolumeBackup -Backup dup -Confirm:$false",
            "More than one backup with name dup exists. Use the backup ID instead.", "dup"),
        new("BackupInvalidState", ErrorCategory.InvalidOperation, Backup + "; Set-VolumeBackup -Backup b -State error; @{ b = $b.Id }", "Restore-VolumeBackup -Backup b -Confirm:$false",
            "Invalid backup: Backup status must be available", "{b}"),
        new("InvalidBackup", ErrorCategory.InvalidOperation, Volume + "; @{ v = (Get-BlockVolume -Name v).Id }", "New-VolumeBackup -Volume v -Incremental",
            "Invalid backup: No backups available to do an incremental backup.", "{v}"),
        new("BackupChainBroken", ErrorCategory.ObjectNotFound, Backup + "; $i = New-VolumeBackup -Volume v -Name i -Incremental; $r = Export-BackupRecord -Backup i; Remove-VolumeBackup -Backup i -Confirm:$false; Remove-VolumeBackup -Backup b -Confirm:$false; $r | Import-BackupRecord -WarningAction SilentlyContinue | Out-Null; @{ b = $b.Id; i = $i.Id }", "Restore-VolumeBackup -Backup i -Confirm:$false",
            "Backup {b} could not be found. Backup {i} is an incremental backup and needs it: import the record of backup {b} (and of its own parents) first.", "{b}"),
        new("BackupHasDependents", ErrorCategory.InvalidOperation, Backup + "; New-VolumeBackup -Volume v -Name i -Incremental | Out-Null; @{ b = $b.Id }", "Remove-VolumeBackup -Backup b -Confirm:$false",
            "Invalid backup: Incremental backups exist for this backup.", "{b}"),
        new("BackupFailed", ErrorCategory.WriteError, Volume + "; Set-Content (Join-Path $root 'afile') 'x'; Add-Content -LiteralPath $env:CINDERBACKUP_CONFIG -Value \"backup_posix_path: $root/afile\"; @{}", "New-VolumeBackup -Volume v -Name b",
            "~Backup ([0-9a-f-]{36}) failed: Cannot create the container directory '{root}/afile/[0-9a-f]{2}/[0-9a-f]{2}/\\1': The file '{root}/afile' already exists\\.", "~[0-9a-f-]{36}"),
        new("BackupCancelled", ErrorCategory.OperationStopped, SlowJob + "while ($j.Progress.Count -eq 0) { Start-Sleep -Milliseconds 50 }; @{ b = (Get-VolumeBackup -Name sb).Id }", "Stop-Job -Job $j; Write-Error -ErrorRecord $j.Error[0]",
            "Backup {b} was cancelled; nothing was kept.", "{b}"),
        new("RestoreFailed", ErrorCategory.InvalidData, Backup + "; $o = Get-ChildItem -Recurse -File (Join-Path $env:CINDERBACKUP_HOME 'backup') | Where-Object Name -like '*-00001'; $bytes = [IO.File]::ReadAllBytes($o.FullName); $bytes[100] = $bytes[100] -bxor 0xff; [IO.File]::WriteAllBytes($o.FullName, $bytes); @{ b = $b.Id }", "Restore-VolumeBackup -Backup b -Name target -Confirm:$false",
            "~Restore of backup {b} to volume [0-9a-f-]{36} failed: Backup {b}: object 'volume_{vol}_\\d{14}_backup_{b}-00001' at volume offset 0: block 0 does not match the SHA-256 in the backup's sha256 list \\(expected [0-9a-f]{64}, got [0-9a-f]{64}.*", "{b}"),
        new("RestoreCancelled", ErrorCategory.OperationStopped, Backup + "; Add-Content -LiteralPath $env:CINDERBACKUP_CONFIG -Value 'backup_io_bandwidth_limit: 1MiB'; $j = Restore-VolumeBackup -Backup b -Name target -Confirm:$false -AsJob; while ($j.Progress.Count -eq 0) { Start-Sleep -Milliseconds 50 }; @{ b = $b.Id; t = (Get-BlockVolume -Name target).Id }", "Stop-Job -Job $j; Write-Error -ErrorRecord $j.Error[0]",
            "Canceled backup {b} restore on volume {t}", "{b}"),
        new("VolumeTooSmall", ErrorCategory.InvalidArgument, "New-TestVolume -Name big -Size 2 | Out-Null; $b = New-VolumeBackup -Volume big -Name b; New-BlockVolume -Name small -Size 1 | Out-Null; @{ b = $b.Id; s = (Get-BlockVolume -Name small).Id }", "Restore-VolumeBackup -Backup b -Volume small -Force -Confirm:$false",
            "Invalid volume: volume size 1 is too small to restore backup of size 2.", "{s}"),
        new("RecordInvalid", ErrorCategory.InvalidArgument, "@{}", "Import-BackupRecord -BackupService cinder.backup.drivers.posix.PosixBackupDriver -BackupUrl 'not-a-record' -Confirm:$false",
            "Invalid input received: Can't parse backup record.", "cinder.backup.drivers.posix.PosixBackupDriver"),
        new("RecordFileInvalid", ErrorCategory.InvalidData, "Set-Content (Join-Path $root 'bad.yaml') 'foo: bar'; @{}", "Import-BackupRecord -Path (Join-Path $root 'bad.yaml') -Confirm:$false",
            "Record file '{root}/bad.yaml', line 1: unexpected key 'foo' (a record has exactly backup_service and backup_url).", "{root}/bad.yaml"),
        new("FileExists", ErrorCategory.ResourceExists, Backup + "; Set-Content (Join-Path $root 'r.yaml') 'x'; @{}", "Export-BackupRecord -Backup b -Path (Join-Path $root 'r.yaml') -NoClobber",
            "The record file '{root}/r.yaml' already exists and -NoClobber was given. Nothing was written.", "{root}/r.yaml"),
        new("BackupExists", ErrorCategory.ResourceExists, Backup + "; $r = Export-BackupRecord -Backup b; @{ b = $b.Id }", "$r | Import-BackupRecord -Confirm:$false",
            "Invalid backup: Backup already exists in database.", "{b}"),
        new("VolumeBackupSizeExceedsAvailableQuota", ErrorCategory.QuotaExceeded, Volume + "; Set-BackupQuota -ProjectName (Get-BackupContext).ProjectName -BackupGigabytes 0; @{}", "New-VolumeBackup -Volume v",
            "Requested backup exceeds allowed Backup gigabytes quota. Requested 1G, quota is 0G and 0G has been consumed.", "{project}"),
        new("BackupLimitExceeded", ErrorCategory.QuotaExceeded, Volume + "; Set-BackupQuota -ProjectName (Get-BackupContext).ProjectName -Backups 0; @{}", "New-VolumeBackup -Volume v",
            "Maximum number of backups allowed (0) exceeded", "{project}"),
        new("VolumeSizeExceedsAvailableQuota", ErrorCategory.QuotaExceeded, "Set-BackupQuota -ProjectName (Get-BackupContext).ProjectName -Gigabytes 0; @{}", "New-BlockVolume -Name big -Size 1",
            "Requested volume or snapshot exceeds allowed gigabytes quota. Requested 1G, quota is 0G and 0G has been consumed.", "{project}"),
        new("VolumeLimitExceeded", ErrorCategory.QuotaExceeded, "Set-BackupQuota -ProjectName (Get-BackupContext).ProjectName -Volumes 0; @{}", "New-BlockVolume -Name many -Size 1",
            "Maximum number of volumes allowed (0) exceeded for quota 'volumes'.", "{project}"),
        new("QuotaInvalid", ErrorCategory.InvalidArgument, Backup + "; @{ p = (Get-BackupContext).ProjectName }", "Set-BackupQuota -ProjectName $v.p -Backups 0",
            "Quota backups limit must be equal or greater than existing resources. Current usage is 1 and the requested limit is 0.", "{p}"),
        new("WaitTimeout", ErrorCategory.OperationTimeout, SlowJob + "@{ b = (Get-VolumeBackup -Name sb).Id }", "Wait-VolumeBackup -Backup sb -Timeout 1",
            "Backup {b} is still creating after 1 seconds.", "{b}"),
        new("CatalogBackupInvalid", ErrorCategory.InvalidData, "Set-Content (Join-Path $root 'empty.db') -Value $null; @{}", "Restore-BackupCatalog -Path (Join-Path $root 'empty.db') -Confirm:$false",
            "'{root}/empty.db' is an empty file, not a catalog backup. Nothing was changed.", "{root}/empty.db"),
        new("CatalogBusy", ErrorCategory.InvalidOperation, SlowJob + "$c = Backup-BackupCatalog -Path (Join-Path $root 'copy.db'); @{}", "Restore-BackupCatalog -Path (Join-Path $root 'copy.db') -Confirm:$false",
            "Backups are being worked on ({sb} (creating)); wait for them (Wait-VolumeBackup) or use -Force (--force). Nothing was changed.", "{sb}"),
        new("ConfirmationRequired", ErrorCategory.InvalidOperation, Backup + "; New-BlockVolume -Name over -Size 1 | Out-Null; @{ o = (Get-BlockVolume -Name over).Id }", "Restore-VolumeBackup -Backup b -Volume over -Confirm:$false",
            "Restoring backup b ({b}) of volume {vol} overwrites all data on volume over ({o}) and this session cannot ask for confirmation: add -Force to overwrite it.", "{o}"),
    };

    public static TheoryData<string> Ids => new(Cases.Select(c => c.Id));

    [Theory]
    [MemberData(nameof(Ids))]
    public void EachDocumentedErrorIdReachesTheUserAsTheEnginesOwnRecord(string id)
    {
        var c = Cases.Single(x => x.Id == id);
        using var s = new ModuleSession(c.Config);
        var values = new Dictionary<string, string>
        {
            ["home"] = s.Home, ["root"] = s.Root, ["config"] = s.ConfigPath,
        };
        var setUp = s.Run($"$root = '{s.Root}'\n{c.Setup}");
        Assert.True(setUp.AllErrors.Count == 0 && setUp.Output.Count >= 1, "set-up: " + setUp.Describe());
        foreach (DictionaryEntry e in (Hashtable)setUp.Output[^1].BaseObject)
        {
            values[(string)e.Key] = e.Value?.ToString() ?? "";
        }
        if (s.Runspace.SessionStateProxy.GetVariable("v0") is Hashtable v0)
        {
            foreach (DictionaryEntry e in v0)
            {
                values.TryAdd((string)e.Key, e.Value?.ToString() ?? "");
            }
        }
        values["n256"] = new string('n', 256);
        if ((c.Message + c.Target).Contains("{project}", StringComparison.Ordinal))
        {
            values["project"] = ModuleSession.Run(s.OpenRunspace(), "(Get-BackupContext).ProjectName").SingleOutput().ToString();
        }
        s.Runspace.SessionStateProxy.SetVariable("v", setUp.Output[^1]);
        using var holder = Special(s, c, ref values);
        var act = c.Act.Replace("LOCK; ", "").Replace("TOO-NEW; ", "");
        var r = s.Run(act);
        Dump(id, r);
        var error = r.SingleError();
        // A job's errors carry the bare id (no command); a cmdlet's "<id>,<command>".
        Assert.True(error.FullyQualifiedErrorId == id || error.FullyQualifiedErrorId.StartsWith(id + ",CinderBackup.Commands.", StringComparison.Ordinal), r.Describe());
        Assert.Equal(c.Category, error.CategoryInfo.Category);
        Assert.IsNotType<AggregateException>(error.Exception);
        Assert.DoesNotContain("One or more errors occurred", error.Exception.Message);
        Expect(c.Message, values, error.Exception.Message);
        Expect(c.Target, values, error.TargetObject?.ToString());
    }

    /// <summary>Exact text, or (with a leading ~) a regular expression for parts that vary (timestamps, new ids, hashes).</summary>
    private static void Expect(string expected, IReadOnlyDictionary<string, string> values, string? actual)
    {
        if (expected.StartsWith('~'))
        {
            var pattern = Regex.Replace(expected[1..], @"\{(\w+)\}", m => values.TryGetValue(m.Groups[1].Value, out var v) ? Regex.Escape(v) : m.Value);
            Assert.Matches("^" + pattern + "$", actual ?? "");
        }
        else
        {
            Assert.Equal(Fill(expected, values), actual);
        }
    }

    /// <summary>The documented ids and the ids this class produces are the same set: a new id must be documented and tested.</summary>
    [Fact]
    public void TheDocumentedIdsAreExactlyTheTestedOnes()
    {
        var about = File.ReadAllText(Path.Combine(ModuleUnderTest.RepositoryRoot, "en-US", "about_CinderBackup.help.txt"));
        var section = Regex.Match(about, @"(?ms)^ERROR IDS\s*$(.*?)^\S").Groups[1].Value;
        Assert.False(string.IsNullOrWhiteSpace(section), "about_CinderBackup has no ERROR IDS section");
        // The list follows the introductory paragraph: an id at the start of a line, its description beside or below it.
        var list = Regex.Split(section.Trim('\n'), @"\n\s*\n", RegexOptions.None)[1];
        var documented = Regex.Matches(list, @"(?m)^    ([A-Z][A-Za-z]+)(?=\s|$)(?<rest>.*(\n {26}.*)*)")
            .Where(m => !m.Groups["rest"].Value.Contains("cinder-backup only", StringComparison.Ordinal))
            .Select(m => m.Groups[1].Value).ToHashSet();
        Assert.True(documented.Count >= 50, $"only {documented.Count} ids found in ERROR IDS");
        var tested = Cases.Select(c => c.Id).ToHashSet();
        Assert.Equal(Cases.Count, tested.Count);
        Assert.Empty(documented.Except(tested));
        Assert.Empty(tested.Except(documented));
    }

    private static string Fill(string text, IReadOnlyDictionary<string, string> values) =>
        Regex.Replace(text, @"\{(\w+)\}", m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    private static void Dump(string id, PsResult r)
    {
        var path = Environment.GetEnvironmentVariable("CBPS_ERROR_DUMP");
        if (path is not null)
        {
            File.AppendAllText(path, $"== {id}\n{r.Describe()}\n");
        }
    }

    /// <summary>Cases that need a second process: python3's sqlite3 holding the catalog's write lock, or marking it newer.</summary>
    private static IDisposable? Special(ModuleSession s, ErrorCase c, ref Dictionary<string, string> values)
    {
        var catalog = Path.Combine(s.Home, "catalog.db");
        if (c.Act.StartsWith("TOO-NEW; ", StringComparison.Ordinal))
        {
            Python($"import sqlite3; c = sqlite3.connect({Py(catalog)}); c.execute('PRAGMA user_version = 999'); c.commit(); c.close()").WaitForExit();
            return null;
        }
        if (c.Act.StartsWith("LOCK; ", StringComparison.Ordinal))
        {
            var p = Python($"import sqlite3, sys, time; c = sqlite3.connect({Py(catalog)}, isolation_level=None); c.execute('BEGIN IMMEDIATE'); c.execute(\"INSERT INTO catalog_info (key, value) VALUES ('lock', 'held')\"); print('locked', flush=True); sys.stdin.read()");
            Assert.Equal("locked", p.StandardOutput.ReadLine());
            return new Holder(p);
        }
        return null;
    }

    private static string Py(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    private static Process Python(string code)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(code);
        return Process.Start(psi)!;
    }

    private sealed class Holder(Process p) : IDisposable
    {
        public void Dispose()
        {
            p.StandardInput.Close();
            p.WaitForExit(10_000);
            p.Dispose();
        }
    }
}
