using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using CinderBackup.Engine.Api;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// The engine's rooms (issue 17): each folder of src/CinderBackup.Engine is one namespace, CinderBackup.Engine.&lt;Folder&gt;
/// (a subfolder adds .&lt;Sub&gt;), and no folder uses another that uses it back, directly or round a longer loop, so
/// each folder can be read, tested and replaced knowing only the folders below it. Read from the sources: a folder
/// uses another through a using directive, a name qualified with CinderBackup.Engine.&lt;Folder&gt;, or a name such as
/// Util.Clock (a folder and one of its types). Subfolders (Repositories/S3) belong to their top folder's room.
/// </summary>
public sealed partial class LayoutTests
{
    private const string Root = "CinderBackup.Engine";
    private static readonly string EngineDirectory = FindEngineDirectory();

    [Fact]
    public void NoFolderOfTheEngineUsesOneThatUsesItBack()
    {
        var graph = UseGraph();
        Assert.True(graph.Count >= 10, $"only {graph.Count} folders found under {EngineDirectory}");
        // The reader must see real uses, or an empty graph would pass.
        Assert.Contains("Operations", graph["Api"].Keys);
        Assert.Contains("Catalog", graph["Operations"].Keys);
        Assert.Contains("Util", graph["Errors"].Keys);

        var cycle = FindCycle(graph);
        if (cycle is not null)
        {
            var why = new StringBuilder($"The engine's folders use each other in a loop: {string.Join(" -> ", cycle)}.");
            for (var i = 0; i + 1 < cycle.Count; i++)
            {
                why.Append($"\n  {cycle[i]} -> {cycle[i + 1]}: {string.Join(", ", graph[cycle[i]][cycle[i + 1]].Order(StringComparer.Ordinal).Take(6))}");
            }
            Assert.Fail(why.ToString());
        }
    }

    /// <summary>
    /// Issue 17 item 1: the operations and the facades reach a repository only through its driver (IBackupRepository),
    /// so a repository that is not a bag of objects (Ceph) fits beside the chunked one. Names of the object stores and of
    /// the chunked data paths may appear only below Repositories/.
    /// </summary>
    [Fact]
    public void OperationsAndFacadesTalkToRepositoryDriversOnly()
    {
        string[] forbidden =
        [
            "IObjectStore", "IStagedObject", "ObjectStore", "RepositoryMarker", "BackupWriter", "ObjectWriteJob", "ChainLoader",
            "ChainVerifier", "RestoreWriter", "RecordDiscovery", "ChunkedRepository", "ObjectStores",
        ];
        var files = SourceFiles().Where(f => TopFolder(f) is "Operations" or "Api").ToList();
        Assert.True(files.Count >= 20, $"only {files.Count} files in Operations/ and Api/");
        Assert.Contains(files, f => Code(File.ReadAllText(f)).Contains("IBackupRepository", StringComparison.Ordinal));
        var wrong = new List<string>();
        foreach (var file in files)
        {
            var code = Code(File.ReadAllText(file));
            foreach (var name in forbidden)
            {
                if (Regex.IsMatch(code, $@"\b\w*{name}\b"))
                {
                    wrong.Add($"{Relative(file)} names {name}");
                }
            }
        }
        Assert.True(wrong.Count == 0, "Operations and facades must use IBackupRepository, not the object store:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void EverySourceFileDeclaresTheNamespaceOfItsFolder()
    {
        var wrong = new List<string>();
        foreach (var file in SourceFiles())
        {
            var declared = NamespaceDeclaration().Matches(Code(File.ReadAllText(file))).Select(m => m.Groups[1].Value).ToList();
            var expected = NamespaceOf(file);
            if (declared.Count != 1 || declared[0] != expected)
            {
                wrong.Add($"{Relative(file)} declares {(declared.Count == 0 ? "no namespace" : string.Join(", ", declared))}; its folder is {expected}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// <summary>Each folder says in a few lines what lives in it (and so where a new thing goes).</summary>
    [Fact]
    public void EveryFolderHasAShortReadme()
    {
        var folders = SourceFiles().Select(FolderOf).Where(f => f.Length > 0).Distinct().ToList();
        Assert.True(folders.Count >= 10, $"only {folders.Count} folders");
        var wrong = new List<string>();
        foreach (var folder in folders)
        {
            var readme = Path.Combine(EngineDirectory, folder, "README.md");
            var lines = File.Exists(readme) ? File.ReadAllLines(readme).Count(l => l.Trim().Length > 0) : 0;
            if (lines is < 3 or > 8)
            {
                wrong.Add(lines == 0 ? $"{folder}/README.md is missing" : $"{folder}/README.md has {lines} lines (3 to 8)");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void EveryTypeOfTheEngineAssemblyLivesInTheFolderOfItsNamespace()
    {
        var declaredIn = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal); // namespace -> type names
        foreach (var file in SourceFiles())
        {
            var names = declaredIn.TryGetValue(NamespaceOf(file), out var set) ? set : declaredIn[NamespaceOf(file)] = new(StringComparer.Ordinal);
            names.UnionWith(TopLevelTypes(File.ReadAllText(file)));
        }
        var types = typeof(BackupEngine).Assembly.GetTypes()
            .Where(t => !t.IsNested && t.Name != "<Module>" && !t.IsDefined(typeof(CompilerGeneratedAttribute), false)
                && !t.IsDefined(typeof(System.CodeDom.Compiler.GeneratedCodeAttribute), false) && !IsEmbeddedByCompiler(t))
            .ToList();
        Assert.True(types.Count > 100, $"only {types.Count} types in the engine assembly");
        var wrong = types
            .Where(t => t.Namespace is not { } ns || !declaredIn.TryGetValue(ns, out var names) || !names.Contains(t.Name.Split('`')[0]))
            .Select(t => $"{t.FullName}: no source file in the folder of namespace '{t.Namespace}' declares it")
            .ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// <summary>Attribute types the compiler adds to an assembly that uses newer language features (nullable, ref safety).</summary>
    private static bool IsEmbeddedByCompiler(Type t) =>
        t.Namespace is "Microsoft.CodeAnalysis" or "System.Runtime.CompilerServices" && t.GetCustomAttributes(false).Any(a => a.GetType().Name == "EmbeddedAttribute");

    /// <summary>Top folder -> top folder it uses -> the files that use it.</summary>
    private static Dictionary<string, Dictionary<string, SortedSet<string>>> UseGraph()
    {
        var files = SourceFiles().Select(f => (Path: f, Folder: TopFolder(f), Code: Code(File.ReadAllText(f)))).ToList();
        var folders = files.Select(f => f.Folder).ToHashSet(StringComparer.Ordinal);
        var typesOf = files.GroupBy(f => f.Folder).ToDictionary(g => g.Key, g => g.SelectMany(f => TopLevelTypes(f.Code)).ToHashSet(StringComparer.Ordinal));
        var graph = folders.ToDictionary(f => f, _ => new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal));
        foreach (var (path, folder, code) in files)
        {
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match m in QualifiedByEngine().Matches(code))
            {
                used.Add(m.Groups[1].Value);
            }
            foreach (Match m in QualifiedByFolder().Matches(code))
            {
                if (typesOf.TryGetValue(m.Groups[1].Value, out var types) && types.Contains(m.Groups[2].Value))
                {
                    used.Add(m.Groups[1].Value);
                }
            }
            // Types of the root namespace are seen from every folder without a using: any mention counts.
            if (typesOf.TryGetValue("", out var rootTypes) && Identifier().Matches(code).Any(i => rootTypes.Contains(i.Value)))
            {
                used.Add("");
            }
            foreach (var other in used.Where(u => u != folder && folders.Contains(u)))
            {
                (graph[folder].TryGetValue(other, out var why) ? why : graph[folder][other] = new SortedSet<string>(StringComparer.Ordinal)).Add(Relative(path));
            }
        }
        return graph;
    }

    /// <summary>A loop of folders (first = last), or null.</summary>
    private static List<string>? FindCycle(Dictionary<string, Dictionary<string, SortedSet<string>>> graph)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the path, 2: done
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph[node].Keys.Order(StringComparer.Ordinal))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return path.Skip(path.IndexOf(next)).Append(next).ToList();
                }
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle)
            {
                return cycle;
            }
        }
        return null;
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(EngineDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Relative(f).Split('/').Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);

    private static string Relative(string file) => Path.GetRelativePath(EngineDirectory, file).Replace('\\', '/');

    private static string FolderOf(string file) => Path.GetDirectoryName(Relative(file))!.Replace('\\', '/');

    private static string TopFolder(string file) => FolderOf(file).Split('/')[0];

    private static string NamespaceOf(string file) => FolderOf(file) is { Length: > 0 } folder ? $"{Root}.{folder.Replace('/', '.')}" : Root;

    private static IEnumerable<string> TopLevelTypes(string source) => TypeDeclaration().Matches(Code(source)).Select(m => m.Groups[1].Value);

    /// <summary>The source without its comments (string literals are kept: interpolations hold code).</summary>
    private static string Code(string source)
    {
        var sb = new StringBuilder(source.Length);
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (c == '/' && i + 1 < source.Length && source[i + 1] == '/')
            {
                while (i < source.Length && source[i] != '\n')
                {
                    i++;
                }
                sb.Append('\n');
            }
            else if (c == '/' && i + 1 < source.Length && source[i + 1] == '*')
            {
                var end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? source.Length : end + 1;
                sb.Append(' ');
            }
            else if (c == '"' || c == '\'')
            {
                var verbatim = i > 0 && source[i - 1] == '@';
                sb.Append(c);
                for (i++; i < source.Length && source[i] != c; i++)
                {
                    if (source[i] == '\\' && !verbatim && i + 1 < source.Length)
                    {
                        sb.Append(source[i++]);
                    }
                    sb.Append(source[i]);
                }
                if (i < source.Length)
                {
                    sb.Append(c);
                }
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    private static string FindEngineDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CinderBackup.sln")))
            {
                return Path.Combine(dir.FullName, "src", Root);
            }
        }
        throw new InvalidOperationException($"No CinderBackup.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"^(?:(?:public|internal|static|sealed|abstract|partial|readonly|unsafe|file|ref)\s+)*(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?|delegate\s+[\w<>?,\s\[\]]+?)\s+([A-Z]\w*)", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"\bCinderBackup\.Engine\.(\w+)")]
    private static partial Regex QualifiedByEngine();

    [GeneratedRegex(@"(?<![\w.])(\w+)\.([A-Z]\w*)")]
    private static partial Regex QualifiedByFolder();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Identifier();
}
