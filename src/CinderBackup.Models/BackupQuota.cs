namespace CinderBackup;

/// <summary>A project's backup and volume quotas (-1: unlimited), as `openstack quota show` prints them.</summary>
public sealed class BackupQuota
{
    public string ProjectName { get; init; } = "";

    /// <summary>Maximum number of backups (quota "backups").</summary>
    public int Backups { get; init; }

    /// <summary>Maximum GiB of backups (quota "backup-gigabytes"), counted at volume size.</summary>
    public int BackupGigabytes { get; init; }

    /// <summary>Maximum number of volumes (quota "volumes"): new, restored-into and registered volumes.</summary>
    public int Volumes { get; init; }

    /// <summary>Maximum GiB of volumes (quota "gigabytes").</summary>
    public int Gigabytes { get; init; }

    /// <summary>True when the limits are the configured defaults, not set for the project.</summary>
    public bool IsDefault { get; init; }

    public override string ToString() => $"{ProjectName}: backups {Backups}, backup-gigabytes {BackupGigabytes}, volumes {Volumes}, gigabytes {Gigabytes}";
}
