using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Api;

/// <summary>
/// Which backups of each volume to keep (restic's <c>forget --keep-*</c>): the newest <see cref="Last"/>, and the newest
/// of each of the last <see cref="Daily"/> days, <see cref="Weekly"/> ISO weeks and <see cref="Monthly"/> months that
/// hold a backup (calendar periods in UTC). A backup may satisfy several rules; each rule counts it. Null: the rule is off.
/// </summary>
public sealed record RetentionPolicy
{
    public int? Last { get; init; }

    public int? Daily { get; init; }

    public int? Weekly { get; init; }

    public int? Monthly { get; init; }

    /// <summary>Refuses a policy that keeps nothing or has a count below 1, naming the option at fault.</summary>
    public void Validate()
    {
        foreach (var (value, option) in new[] { (Last, "keep-last"), (Daily, "keep-daily"), (Weekly, "keep-weekly"), (Monthly, "keep-monthly") })
        {
            if (value is < 1)
            {
                throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                    $"Invalid retention policy: {option} must be at least 1, got {value}; nothing was changed.", option);
            }
        }
        if (Last is null && Daily is null && Weekly is null && Monthly is null)
        {
            throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                "Invalid retention policy: give at least one of keep-last, keep-daily, keep-weekly, keep-monthly; nothing was changed.", null);
        }
    }

    public override string ToString() => string.Join(", ", new[]
    {
        Last is int l ? $"last {l}" : null, Daily is int d ? $"daily {d}" : null,
        Weekly is int w ? $"weekly {w}" : null, Monthly is int m ? $"monthly {m}" : null,
    }.Where(s => s is not null));
}
