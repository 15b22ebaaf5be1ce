using System.Collections;
using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Volumes;

namespace CinderBackup.Commands;

/// <summary>
/// Backs up a volume (or one of its snapshots) to the repository: full, or incremental against the newest
/// backup. An attached volume asks for confirmation first (the backup is crash-consistent); -Force skips it.
/// </summary>
[Cmdlet(VerbsCommon.New, "VolumeBackup", SupportsShouldProcess = true, DefaultParameterSetName = ByVolume)]
[OutputType(typeof(VolumeBackup))]
public sealed class NewVolumeBackupCommand : VolumeTargetCmdlet
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    public string? Description { get; set; }

    [Parameter]
    public SwitchParameter Incremental { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SnapshotCompleter))]
    public string? Snapshot { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    [Parameter]
    public Hashtable? Metadata { get; set; }

    [Parameter]
    [ValidateSet("none", "zlib", "gzip", "bz2", "bzip2", "zstd", IgnoreCase = true)]
    public string? Compression { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AvailabilityZone { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string? Repository { get; set; }

    /// <summary>Run as this project for this call (the seeds' "authenticate volume owners").</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectNameCompleter))]
    public string? ProjectName { get; set; }

    /// <summary>Run as this user for this call.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UserName { get; set; }

    [Parameter]
    public SwitchParameter AsJob { get; set; }

    protected override (string? ProjectName, string? UserName) IdentityOverride => (ProjectName, UserName);

    protected override void ProcessRecord()
    {
        Try(TargetName, () =>
        {
            var volume = ResolveTarget();
            var kind = Incremental ? "incremental" : "full";
            var what = Snapshot is null ? $"Create {kind} backup" : $"Create {kind} backup of snapshot '{Snapshot}'";
            if (!Confirmed(Describe(volume), what))
            {
                return;
            }
            var inUse = volume.Status == VolumeStatus.InUse && Snapshot is null;
            if (inUse && !ForceOrConfirm(Force,
                    $"Volume {Describe(volume)} is in use ({volume.AttachedTo.Replace("\n", "; ")}). It will be read from a temporary snapshot: the backup is crash-consistent, not application-consistent. Continue?",
                    "Back up an attached volume",
                    () => new CinderBackupException(ErrorIds.VolumeInUse, ErrorKind.InvalidState,
                        $"Invalid volume: Backing up an in-use volume must use the force flag. Volume {Describe(volume)} is attached ({volume.AttachedTo.Replace("\n", "; ")}) and this session cannot ask for confirmation: add -Force to back it up from a temporary snapshot (crash-consistent).", volume.Id)))
            {
                return;
            }
            var options = new BackupCreateOptions
            {
                Volume = volume.Id,
                Name = Name,
                Description = Description,
                Incremental = Incremental,
                Force = inUse,
                Snapshot = Snapshot,
                Container = Container,
                Metadata = ToDictionary(Metadata),
                Compression = Compression,
                AvailabilityZone = AvailabilityZone,
                Repository = Repository,
            };
            if (AsJob)
            {
                // Checks, quota and the row happen now (errors surface here); the job does the transfer.
                var started = Engine.Backups.StartCreate(options);
                // With a backup service of the zone up, it does the backup and the job waits for it; else the job does it.
                StartJob($"Backup {started.Name ?? started.Id}", Engine.Backups.Enqueue(started.Id)
                    ? (engine, _, cancel) => engine.Backups.WaitCreate(started.Id, cancel)
                    : (engine, progress, cancel) => engine.Backups.RunCreate(started.Id, progress, cancel));
                return;
            }
            var backup = RunWithProgress("Backing up volume " + Describe(volume), kind, (progress, cancel) => Engine.Backups.Create(options with { Progress = progress, Cancel = cancel }));
            WriteObject(backup);
        });
    }
}
