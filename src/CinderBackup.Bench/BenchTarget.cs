namespace CinderBackup.Bench;

/// <summary>One performance target of the project (issue 8) and whether the run met it.</summary>
public sealed class BenchTarget
{
    public string Name { get; init; } = "";

    /// <summary>The requirement in words, e.g. "≥ 350 MB/s".</summary>
    public string Requirement { get; init; } = "";

    public double Measured { get; init; }

    /// <summary>How the measurement was made (which rows, which ratio).</summary>
    public string Detail { get; init; } = "";

    public bool Met { get; init; }

    /// <summary>
    /// False when the run's volumes are smaller than the ones the target is set for (<c>bench --quick</c>): start-up
    /// and page-cache effects then dominate, so Met says nothing and is shown as n/a.
    /// </summary>
    public bool Applies { get; init; } = true;
}
