namespace CinderBackup.Bench;

/// <summary>One measured run of one case by one tool.</summary>
public sealed class BenchSample
{
    public double Seconds { get; init; }

    /// <summary>User plus system CPU seconds of the process (all its threads) during the run.</summary>
    public double CpuSeconds { get; init; }

    /// <summary>Peak resident memory of the process during the run (VmHWM reset before it), when known.</summary>
    public long? PeakBytes { get; init; }

    /// <summary>Bytes the run stored in the repository (objects and documents), when it stores anything.</summary>
    public long? StoredBytes { get; init; }

    /// <summary>The 1-minute load average when the run started.</summary>
    public double LoadAverage { get; init; }
}
