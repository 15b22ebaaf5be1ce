namespace CinderBackup.Bench;

/// <summary>What a benchmark run measured, where, and which targets it met.</summary>
public sealed class BenchReport
{
    public DateTime StartedAt { get; init; }

    public double TotalSeconds { get; set; }

    public string Machine { get; init; } = "";

    public int Processors { get; init; }

    public string Runtime { get; init; } = "";

    /// <summary>The 1-, 5- and 15-minute load averages at the start and at the end.</summary>
    public string LoadAtStart { get; init; } = "";

    public string LoadAtEnd { get; set; } = "";

    public BenchOptions Options { get; init; } = new();

    public List<BenchResult> Results { get; } = new();

    /// <summary>What starting the CLI costs (null: not measured).</summary>
    public CliStartup? CliStartup { get; set; }

    public List<BenchTarget> Targets { get; } = new();

    /// <summary>What was skipped or worth knowing (missing tools, Cinder not installed, ...).</summary>
    public List<string> Notes { get; } = new();
}
