namespace CinderBackup;

/// <summary>A backup service (a host running operations), as `openstack volume service list` prints it.</summary>
public sealed class BackupService
{
    public string Binary { get; init; } = "cinder-backup";

    public string Host { get; init; } = "";

    public string Zone { get; init; } = "";

    /// <summary>enabled or disabled.</summary>
    public string Status { get; init; } = "enabled";

    /// <summary>up when the host reported within service_down_time, else down.</summary>
    public string State { get; init; } = "";

    public DateTime? UpdatedAtUtc { get; init; }

    /// <summary>UpdatedAtUtc in local time, as PowerShell's own times are, so that <c>(Get-Date) - $x.UpdatedAt</c> is right in any time zone.</summary>
    public DateTime? UpdatedAt => UpdatedAtUtc?.ToLocalTime();

    /// <summary>The last process that reported for this host.</summary>
    public int? ProcessId { get; init; }

    public override string ToString() => $"{Binary} {Host} {State}";
}
