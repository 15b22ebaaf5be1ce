using System.Text.RegularExpressions;
using CinderBackup.HelpGen;

namespace CinderBackup.Module.Tests;

/// <summary>
/// ARCHITECTURE.md is the newcomer's map, so it must stay true as files move: every engine folder is named in it, and
/// every repository path it writes in backticks exists (a placeholder such as <c>&lt;Kind&gt;</c> needs the folder
/// before it; a <c>*</c> needs one match).
/// </summary>
public sealed partial class ArchitectureDocTests
{
    private static readonly string Root = ModuleMetadata.RepositoryRoot;
    private static readonly string EngineDir = Path.Combine(Root, "src", "CinderBackup.Engine");
    private static readonly string[] PathRoots = { "src/", "tests/", "tools/", "en-US/", "scripts/" };

    [GeneratedRegex("`([^`\n]+)`")]
    private static partial Regex BacktickSpan();

    private static IReadOnlyList<string> Spans() =>
        BacktickSpan().Matches(File.ReadAllText(Path.Combine(Root, "ARCHITECTURE.md"))).Select(m => m.Groups[1].Value.Trim()).ToList();

    [Fact]
    public void EveryEngineFolderIsNamed()
    {
        var named = Spans().Select(s => s.TrimEnd('/')).ToHashSet(StringComparer.Ordinal);
        var missing = EngineFolders()
            .Where(rel => !named.Contains(rel) && !named.Contains("src/CinderBackup.Engine/" + rel))
            .ToList();
        Assert.True(missing.Count == 0, "ARCHITECTURE.md does not name these engine folders (write them as `Folder/`): " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryRepositoryPathItNamesExists()
    {
        var paths = Spans().Where(s => PathRoots.Any(r => s.StartsWith(r, StringComparison.Ordinal)) && !s.Contains(' ')).Distinct().ToList();
        Assert.NotEmpty(paths);
        var missing = paths.Where(p => !Exists(p)).ToList();
        Assert.True(missing.Count == 0, "ARCHITECTURE.md names paths that do not exist: " + string.Join(", ", missing));
    }

    [Fact]
    public void TheEngineDoesNotReferencePowerShell()
    {
        var references = typeof(CinderBackup.Engine.Api.BackupEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name);
        Assert.DoesNotContain(references, n => n!.StartsWith("System.Management.Automation", StringComparison.Ordinal) || n.StartsWith("Microsoft.PowerShell", StringComparison.Ordinal));
    }

    /// <summary>Folders under the engine that hold a file (at any depth), relative, with '/' separators.</summary>
    private static IEnumerable<string> EngineFolders() =>
        Directory.EnumerateDirectories(EngineDir, "*", SearchOption.AllDirectories)
            .Select(d => Path.GetRelativePath(EngineDir, d).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(rel => !rel.Split('/').Any(part => part is "bin" or "obj" || part.StartsWith('.')))
            .Where(rel => Directory.EnumerateFiles(Path.Combine(EngineDir, rel), "*", SearchOption.AllDirectories).Any())
            .Order(StringComparer.Ordinal);

    private static bool Exists(string path)
    {
        var parts = path.TrimEnd('/').Split('/');
        var placeholder = Array.FindIndex(parts, p => p.Contains('<'));
        if (placeholder >= 0)
        {
            return placeholder > 0 && Directory.Exists(Path.Combine(Root, Path.Combine(parts[..placeholder])));
        }
        var full = Path.Combine(Root, Path.Combine(parts));
        if (parts[^1].Contains('*'))
        {
            var dir = Path.GetDirectoryName(full)!;
            return Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir, parts[^1]).Any();
        }
        return File.Exists(full) || Directory.Exists(full);
    }
}
