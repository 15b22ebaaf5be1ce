using System.Xml.Linq;
using CinderBackup.HelpGen;

namespace CinderBackup.Module.Tests;

/// <summary>The MAML help against the built dll: every cmdlet and parameter documented, nothing stale, file current.</summary>
public sealed class HelpTests : IDisposable
{
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private readonly ModuleMetadata _module = ModuleMetadata.FromBuild();

    public void Dispose() => _module.Dispose();

    private static string HelpDir => Path.Combine(ModuleMetadata.RepositoryRoot, "en-US");

    [Fact]
    public void MarkdownHelpCoversEveryCmdletAndParameter()
    {
        var (_, problems) = HelpBuilder.Build(_module, HelpDir);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void CommittedMamlIsGeneratedFromTheCurrentSources()
    {
        var (maml, _) = HelpBuilder.Build(_module, HelpDir);
        var committed = File.ReadAllText(Path.Combine(HelpDir, HelpBuilder.MamlFileName));
        Assert.True(maml == committed, "en-US/CinderBackup.dll-Help.xml is stale: run `dotnet run --project tools/CinderBackup.HelpGen`.");
    }

    [Fact]
    public void MamlDocumentsEveryCmdletAndParameterAndNothingElse()
    {
        var doc = XDocument.Load(Path.Combine(HelpDir, HelpBuilder.MamlFileName));
        var commands = doc.Descendants(Command + "command").ToList();
        var names = commands.Select(c => c.Element(Command + "details")!.Element(Command + "name")!.Value).ToList();
        Assert.Equal(_module.Cmdlets.Select(c => c.Name).OrderBy(x => x), names.OrderBy(x => x));
        foreach (var cmdlet in _module.Cmdlets)
        {
            var command = commands.Single(c => c.Element(Command + "details")!.Element(Command + "name")!.Value == cmdlet.Name);
            var documented = command.Element(Command + "parameters")!.Elements(Command + "parameter")
                .ToDictionary(p => p.Element(Maml + "name")!.Value, p => p.Element(Maml + "description")!.Value.Trim());
            var expected = cmdlet.Parameters.Select(p => p.Name).ToList();
            if (cmdlet.SupportsShouldProcess)
            {
                expected.AddRange(new[] { "Confirm", "WhatIf" });
            }
            Assert.Equal(expected.OrderBy(x => x), documented.Keys.OrderBy(x => x));
            Assert.All(documented, kv => Assert.False(string.IsNullOrWhiteSpace(kv.Value), $"{cmdlet.Name} -{kv.Key} has no description"));
            Assert.False(string.IsNullOrWhiteSpace(command.Element(Command + "details")!.Element(Maml + "description")!.Value), $"{cmdlet.Name}: synopsis");
            var examples = command.Element(Command + "examples")!.Elements(Command + "example").ToList();
            Assert.True(examples.Count >= 2, $"{cmdlet.Name}: examples");
            Assert.Contains(examples, e => e.Element(XNamespace.Get("http://schemas.microsoft.com/maml/dev/2004/10") + "code")!.Value.Contains('|'));
        }
    }

    [Fact]
    public void AboutTopicExistsAndNamesEveryErrorId()
    {
        var about = File.ReadAllText(Path.Combine(HelpDir, "about_CinderBackup.help.txt"));
        Assert.StartsWith("TOPIC", about.TrimStart());
        var ids = typeof(CinderBackup.Engine.Errors.ErrorIds).GetFields().Select(f => (string)f.GetRawConstantValue()!);
        Assert.All(ids, id => Assert.Contains(id, about));
    }
}
