using System.Globalization;

namespace CinderBackup.Engine.Format;

/// <summary>The identity keys both Cinder documents carry.</summary>
internal sealed record DocumentHeader(string BackupId, string VolumeId, string? BackupName, string? BackupDescription, string CreatedAt)
{
    /// <summary>
    /// Python's <c>str()</c> of Cinder's UTC-aware created_at: <c>2024-05-01 12:34:56+00:00</c>, with
    /// <c>.ffffff</c> only when the microseconds are not zero.
    /// </summary>
    public static string PythonTimestamp(DateTime utc)
    {
        utc = utc.ToUniversalTime();
        var micro = (utc.Ticks % TimeSpan.TicksPerSecond) / 10;
        var basePart = utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        return micro == 0 ? basePart + "+00:00" : $"{basePart}.{micro:000000}+00:00";
    }

    /// <summary>Reads what <see cref="PythonTimestamp"/> writes (and any other time with a zone); null when it is not a time.</summary>
    public static DateTime? ParseTime(string text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc)
            : null;
}
