using System.Globalization;

namespace CinderBackup.Engine.Util;

/// <summary>UTC time and the timestamp formats the catalog and Cinder use.</summary>
internal static class Clock
{
    /// <summary>Catalog storage format: sortable, microsecond precision, no zone (always UTC).</summary>
    public const string StorageFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff";

    private static readonly AsyncLocal<Func<DateTime>?> LocalOverride = new();

    /// <summary>
    /// Test hook: a simulated clock (days of a retention runbook in seconds). Held per async flow, so a test that sets
    /// it moves only its own engine's time, not that of tests running beside it.
    /// </summary>
    public static Func<DateTime>? Override
    {
        get => LocalOverride.Value;
        set => LocalOverride.Value = value;
    }

    public static DateTime UtcNow
    {
        get
        {
            var now = Override?.Invoke() ?? DateTime.UtcNow;
            // Keep microseconds only, as Cinder's databases do.
            return new DateTime(now.Ticks - now.Ticks % 10, DateTimeKind.Utc);
        }
    }

    public static string ToStorage(DateTime t) => t.ToUniversalTime().ToString(StorageFormat, CultureInfo.InvariantCulture);

    public static DateTime FromStorage(string s) =>
        DateTime.ParseExact(s, StorageFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public static DateTime? FromStorageNullable(string? s) => s is null ? null : FromStorage(s);
}
