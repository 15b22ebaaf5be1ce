namespace CinderBackup.Bench;

/// <summary>One case by one tool: its runs and their medians, and speed ratios against Cinder and a baseline.</summary>
public sealed class BenchResult
{
    public const string CinderBackupTool = "cinderbackup";
    public const string CinderTool = "cinder";

    public string Case { get; init; } = "";

    /// <summary>cinderbackup, cinder, or a baseline command.</summary>
    public string Tool { get; init; } = "";

    /// <summary>Which generated volume (mixed, random, sparse, sparse-data).</summary>
    public string Volume { get; init; } = "";

    /// <summary>Bytes of volume the case covers (the MB/s figure divides these by the time).</summary>
    public long VolumeBytes { get; init; }

    public IReadOnlyList<BenchSample> Samples { get; init; } = Array.Empty<BenchSample>();

    public double Seconds => Median(Samples.Select(s => s.Seconds));

    public double CpuSeconds => Median(Samples.Select(s => s.CpuSeconds));

    /// <summary>The highest peak of all runs.</summary>
    public long? PeakBytes => Samples.Any(s => s.PeakBytes is not null) ? Samples.Max(s => s.PeakBytes ?? 0) : null;

    public long? StoredBytes => Samples.Any(s => s.StoredBytes is not null) ? (long)Median(Samples.Select(s => (double)(s.StoredBytes ?? 0))) : null;

    public double LoadAverage => Median(Samples.Select(s => s.LoadAverage));

    /// <summary>MB (10^6 bytes) of volume per second of wall time.</summary>
    public double MegabytesPerSecond => Seconds > 0 ? VolumeBytes / 1e6 / Seconds : 0;

    /// <summary>How many times faster than Cinder on the same case (Cinder's median time / ours).</summary>
    public double? VsCinder { get; set; }

    /// <summary>The baseline this case is compared with, and how many times faster than it this case ran.</summary>
    public string? Baseline { get; set; }

    public double? VsBaseline { get; set; }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
