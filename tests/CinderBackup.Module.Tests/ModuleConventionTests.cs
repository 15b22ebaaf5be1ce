using System.Xml.Linq;
using CinderBackup.HelpGen;

namespace CinderBackup.Module.Tests;

/// <summary>
/// Module metadata read from the built CinderBackup.dll without loading PowerShell: the conventions of
/// powershell-anchors.md §10 that a reviewer checks.
/// </summary>
public sealed class ModuleConventionTests : IDisposable
{
    private static readonly string[] ReadOnlyVerbs = { "Get", "Test", "Find", "Wait", "Measure", "Compare", "Resolve", "Search", "Show", "Watch" };
    private readonly ModuleMetadata _module = ModuleMetadata.FromBuild();

    public void Dispose() => _module.Dispose();

    [Fact]
    public void TheModuleHasCmdlets() => Assert.True(_module.Cmdlets.Count >= 12);

    [Fact]
    public void EveryCmdletUsesAnApprovedVerb()
    {
        var approved = _module.ApprovedVerbs;
        Assert.Contains("Get", approved);
        Assert.Contains("Restore", approved);
        Assert.All(_module.Cmdlets, c => Assert.True(approved.Contains(c.Verb), $"{c.Name}: '{c.Verb}' is not an approved verb"));
    }

    [Fact]
    public void NounsAreSingularAndDoNotCollideWithTheStorageModule()
    {
        var storage = new[] { "Volume", "Disk", "Partition", "StoragePool", "VirtualDisk" };
        Assert.All(_module.Cmdlets, c =>
        {
            Assert.False(c.Noun.EndsWith('s') && !c.Noun.EndsWith("ss"), $"{c.Name}: noun should be singular");
            Assert.DoesNotContain(c.Noun, storage);
        });
    }

    [Fact]
    public void EveryMutatorSupportsShouldProcess()
    {
        Assert.All(_module.Cmdlets.Where(c => !ReadOnlyVerbs.Contains(c.Verb)),
            c => Assert.True(c.SupportsShouldProcess, $"{c.Name} changes state but does not declare SupportsShouldProcess"));
    }

    [Fact]
    public void RemoveAndRestoreHaveHighConfirmImpact()
    {
        Assert.All(_module.Cmdlets.Where(c => c.Verb is "Remove" or "Restore"),
            c => Assert.Equal("High", c.ConfirmImpact));
    }

    [Fact]
    public void EveryCmdletDeclaresAConcreteOutputTypeInTheCinderBackupNamespace()
    {
        Assert.All(_module.Cmdlets, c =>
        {
            Assert.NotEmpty(c.OutputTypes);
            Assert.All(c.OutputTypes, t => Assert.Matches(@"^CinderBackup\.[A-Z][A-Za-z]+$", t));
        });
        foreach (var t in _module.Cmdlets.SelectMany(c => c.OutputTypes).Distinct())
        {
            var type = _module.FindType(t);
            Assert.True(type is { IsPublic: true, IsClass: true }, $"{t} must be a public class");
        }
    }

    [Fact]
    public void CmdletClassesAreSealedAndNamedAfterTheirFile()
    {
        var commands = Path.Combine(ModuleMetadata.RepositoryRoot, "src", "CinderBackup", "Commands");
        Assert.All(_module.Cmdlets, c =>
        {
            var expected = $"{c.Verb}{c.Noun}Command";
            Assert.Equal($"CinderBackup.Commands.{expected}", c.TypeName);
            Assert.True(c.IsSealed, $"{c.TypeName} should be sealed");
            Assert.True(File.Exists(Path.Combine(commands, expected + ".cs")), $"{expected}.cs missing");
        });
        Assert.Equal(_module.Cmdlets.Count, Directory.GetFiles(commands, "*Command.cs").Length);
    }

    [Fact]
    public void ParameterSetsHaveOnePipelineValueParameterAndAUniqueMandatoryParameter()
    {
        foreach (var c in _module.Cmdlets)
        {
            foreach (var set in c.ParameterSets.Where(s => s != "__AllParameterSets"))
            {
                var inSet = c.Parameters.Where(p => p.Sets.Any(s => s.SetName == set)).ToList();
                Assert.True(inSet.Count(p => p.For(set).ValueFromPipeline) <= 1, $"{c.Name} set {set}: more than one ValueFromPipeline");
                Assert.True(inSet.Any(p => p.For(set).Mandatory), $"{c.Name} set {set}: no parameter unique to the set is mandatory");
            }
        }
    }

    [Fact]
    public void ManifestExportsExactlyTheCmdletsInTheDll()
    {
        var exported = Manifest.Array("CmdletsToExport").OrderBy(x => x).ToList();
        Assert.Equal(_module.Cmdlets.Select(c => c.Name).OrderBy(x => x), exported);
        Assert.Empty(Manifest.Array("FunctionsToExport"));
        Assert.Empty(Manifest.Array("AliasesToExport"));
        Assert.Empty(Manifest.Array("VariablesToExport"));
        Assert.All(Manifest.Text.Split('\n').Where(l => l.Contains("ToExport")), l => Assert.DoesNotContain("*", l));
    }

    [Fact]
    public void ManifestTargetsPowerShellCore74()
    {
        Assert.Equal("CinderBackup.dll", Manifest.Scalar("RootModule"));
        Assert.Equal("7.4", Manifest.Scalar("PowerShellVersion"));
        Assert.Equal(new[] { "Core" }, Manifest.Array("CompatiblePSEditions"));
        Assert.Equal(new[] { "CinderBackup.format.ps1xml" }, Manifest.Array("FormatsToProcess"));
        var tags = Manifest.Array("Tags");
        Assert.Contains("PSEdition_Core", tags);
        Assert.Contains("Linux", tags);
        Assert.Contains("Windows", tags);
        Assert.Contains("MacOS", tags);
        Assert.Matches(@"ProjectUri\s*=\s*'https://", Manifest.Text);
        Assert.Matches(@"ReleaseNotes\s*=\s*'.+'", Manifest.Text);
    }

    [Fact]
    public void ManifestVersionIsTheAssemblyVersion()
    {
        var manifestVersion = Version.Parse(Manifest.Scalar("ModuleVersion"));
        var dll = _module.Module.GetName().Version!;
        Assert.Equal((manifestVersion.Major, manifestVersion.Minor, manifestVersion.Build), (dll.Major, dll.Minor, dll.Build));
    }

    [Fact]
    public void EveryOutputTypeHasATableView()
    {
        var format = XDocument.Load(Path.Combine(ModuleMetadata.RepositoryRoot, "src", "CinderBackup", "CinderBackup.format.ps1xml"));
        var tableTypes = format.Descendants("View")
            .Where(v => v.Element("TableControl") is not null)
            .SelectMany(v => v.Descendants("TypeName")).Select(t => t.Value).ToHashSet();
        Assert.All(_module.Cmdlets.SelectMany(c => c.OutputTypes).Distinct(), t => Assert.Contains(t, tableTypes));
    }

    [Fact]
    public void TheModuleDoesNotShipPowerShellItself()
    {
        // PowerShellStandard is a compile-time reference; a copy in the module folder would shadow nothing and confuse.
        Assert.Empty(Directory.GetFiles(_module.ModuleDirectory, "System.Management.Automation.dll", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(_module.ModuleDirectory, "CinderBackup.format.ps1xml")));
    }

    [Theory]
    [InlineData("Volume", "VolumeCompleter")]
    [InlineData("VolumeId", "VolumeCompleter")]
    [InlineData("Snapshot", "SnapshotCompleter")]
    [InlineData("SnapshotId", "SnapshotCompleter")]
    [InlineData("Backup", "BackupCompleter")]
    [InlineData("BackupId", "BackupCompleter")]
    [InlineData("Repository", "RepositoryNameCompleter")]
    public void ParametersNamingCatalogItemsTabComplete(string parameter, string completer)
    {
        var found = _module.Cmdlets.SelectMany(c => c.Parameters.Where(p => p.Name == parameter).Select(p => (c.Name, p.Completer))).ToList();
        Assert.NotEmpty(found);
        Assert.All(found, f => Assert.True(f.Completer == "CinderBackup.Commands.Infrastructure." + completer, $"{f.Name} -{parameter}: completer {f.Completer ?? "none"}"));
    }
}
