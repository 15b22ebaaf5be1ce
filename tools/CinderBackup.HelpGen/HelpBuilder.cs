namespace CinderBackup.HelpGen;

/// <summary>Checks the markdown help against the dll and produces the MAML; problems are listed, not thrown one by one.</summary>
public static class HelpBuilder
{
    public const string MamlFileName = "CinderBackup.dll-Help.xml";

    public static (string Maml, IReadOnlyList<string> Problems) Build(ModuleMetadata module, string helpDirectory)
    {
        var problems = new List<string>();
        var docs = Directory.GetFiles(helpDirectory, "*-*.md").Select(HelpDocument.Parse).ToDictionary(d => d.Name, StringComparer.Ordinal);
        foreach (var stale in docs.Keys.Except(module.Cmdlets.Select(c => c.Name)))
        {
            problems.Add($"{stale}.md documents a cmdlet the module does not have.");
        }
        foreach (var c in module.Cmdlets)
        {
            if (!docs.TryGetValue(c.Name, out var d))
            {
                problems.Add($"{c.Name} has no help file {c.Name}.md.");
                continue;
            }
            if (d.Synopsis.Length == 0) problems.Add($"{c.Name}: no SYNOPSIS.");
            if (d.Description.Count == 0) problems.Add($"{c.Name}: no DESCRIPTION.");
            if (d.Examples.Count < 2) problems.Add($"{c.Name}: needs at least two EXAMPLES, has {d.Examples.Count}.");
            if (!d.Examples.Any(e => e.Code.Contains('|'))) problems.Add($"{c.Name}: no example shows a pipeline.");
            if (d.Examples.Any(e => e.Code.Trim().Length == 0)) problems.Add($"{c.Name}: an example has no code.");
            foreach (var e in d.Examples.Where(e => e.Remarks.All(r => r.Trim().Length == 0)))
            {
                problems.Add($"{c.Name}: example '{e.Title}' has no line of explanation after its code.");
            }
            foreach (var p in c.Parameters)
            {
                if (!d.Parameters.TryGetValue(p.Name, out var text) || text.Count == 0)
                {
                    problems.Add($"{c.Name}: parameter -{p.Name} is not documented.");
                }
            }
            foreach (var stale in d.Parameters.Keys.Where(k => c.Parameters.All(p => !p.Name.Equals(k, StringComparison.OrdinalIgnoreCase))))
            {
                problems.Add($"{c.Name}: documents -{stale}, which the cmdlet does not have.");
            }
            foreach (var output in c.OutputTypes.Where(o => d.Outputs.All(x => x.Type != o)))
            {
                problems.Add($"{c.Name}: OUTPUTS does not list {output}.");
            }
        }
        var maml = problems.Count == 0 ? MamlWriter.Write(module.Cmdlets, docs) : "";
        return (maml, problems);
    }
}
