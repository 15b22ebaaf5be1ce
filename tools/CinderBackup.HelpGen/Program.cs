using CinderBackup.HelpGen;

// Usage: dotnet run --project tools/CinderBackup.HelpGen [-- --check]
// Regenerates en-US/CinderBackup.dll-Help.xml from en-US/*.md and the built CinderBackup.dll.
var check = args.Contains("--check");
using var module = ModuleMetadata.FromBuild();
var helpDir = Path.Combine(ModuleMetadata.RepositoryRoot, "en-US");
var (maml, problems) = HelpBuilder.Build(module, helpDir);
if (problems.Count > 0)
{
    foreach (var p in problems)
    {
        Console.Error.WriteLine(p);
    }
    return 1;
}
var target = Path.Combine(helpDir, HelpBuilder.MamlFileName);
if (check)
{
    var current = File.Exists(target) ? File.ReadAllText(target) : "";
    if (current != maml)
    {
        Console.Error.WriteLine($"{target} is out of date: run dotnet run --project tools/CinderBackup.HelpGen");
        return 1;
    }
    Console.WriteLine("Help is up to date.");
    return 0;
}
File.WriteAllText(target, maml);
Console.WriteLine($"Wrote {target} ({module.Cmdlets.Count} cmdlets).");
return 0;
