namespace CinderBackup.HelpGen;

/// <summary>A cmdlet as declared in the compiled module (read without loading PowerShell).</summary>
public sealed record CmdletInfo(
    string TypeName,
    string Verb,
    string Noun,
    bool SupportsShouldProcess,
    string ConfirmImpact,
    string? DefaultParameterSet,
    IReadOnlyList<string> OutputTypes,
    IReadOnlyList<ParameterInfo> Parameters,
    bool IsSealed)
{
    public string Name => $"{Verb}-{Noun}";

    public IReadOnlyList<string> ParameterSets
    {
        get
        {
            var named = Parameters.SelectMany(p => p.Sets.Select(s => s.SetName)).Where(s => s != ParameterSetInfo.AllSets).Distinct().ToList();
            return named.Count == 0 ? new[] { ParameterSetInfo.AllSets } : named;
        }
    }
}

/// <summary>One cmdlet parameter and its [Parameter] declarations (one per parameter set).</summary>
public sealed record ParameterInfo(string Name, string TypeName, IReadOnlyList<string> Aliases, IReadOnlyList<ParameterSetInfo> Sets, bool SupportsWildcards, bool IsSwitch,
    string? Completer = null)
{
    public bool InSet(string set) => Sets.Any(s => s.SetName == set || s.SetName == ParameterSetInfo.AllSets);

    public ParameterSetInfo For(string set) => Sets.FirstOrDefault(s => s.SetName == set) ?? Sets.First(s => s.SetName == ParameterSetInfo.AllSets);
}

public sealed record ParameterSetInfo(string SetName, bool Mandatory, int Position, bool ValueFromPipeline, bool ValueFromPipelineByPropertyName)
{
    public const string AllSets = "__AllParameterSets";
}
