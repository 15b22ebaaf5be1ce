using System.Reflection;
using CinderBackup.HelpGen;

namespace CinderBackup.Module.Tests;

/// <summary>
/// The module's layout for dependency isolation (Loading/DependencyLoadContext.cs), read from the build output that
/// build.ps1 copies to out/CinderBackup: PowerShell's default context gets only the cmdlets and the public types; the
/// engine, the third-party assemblies and native SQLite sit in dependencies/ for the module's own load context.
/// </summary>
public sealed class ModuleLayoutTests : IDisposable
{
    private const string Engine = "CinderBackup.Engine";
    private const string Models = "CinderBackup.Models";
    private static readonly string[] SupportedRids = { "linux-arm64", "linux-musl-x64", "linux-x64", "osx-arm64", "osx-x64", "win-arm64", "win-x64" };
    private readonly ModuleMetadata _module = ModuleMetadata.FromBuild();

    public void Dispose() => _module.Dispose();

    private string Dependencies => Path.Combine(_module.ModuleDirectory, ModuleMetadata.DependencyFolder);

    private static bool IsFramework(AssemblyName a) => a.Name is "netstandard" or "mscorlib" || a.Name!.StartsWith("System", StringComparison.Ordinal);

    [Fact]
    public void OnlyTheCmdletsAndThePublicTypesSitAtTheTop()
    {
        var top = Directory.GetFiles(_module.ModuleDirectory, "*.dll").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { "CinderBackup.Models.dll", "CinderBackup.dll" }, top);
    }

    [Theory]
    [InlineData(Engine)]
    [InlineData("YamlDotNet")]
    [InlineData("Microsoft.Data.Sqlite")]
    [InlineData("SQLitePCLRaw.core")]
    [InlineData("SQLitePCLRaw.provider.e_sqlite3")]
    [InlineData("AWSSDK.Core")]
    [InlineData("AWSSDK.S3")]
    [InlineData("ICSharpCode.SharpZipLib")]
    [InlineData("ZstdSharp")]
    public void TheEngineAndItsThirdPartyAssembliesSitInDependencies(string assembly)
    {
        Assert.True(File.Exists(Path.Combine(Dependencies, assembly + ".dll")), $"{assembly}.dll is not in {Dependencies}");
        Assert.False(File.Exists(Path.Combine(_module.ModuleDirectory, assembly + ".dll")), $"{assembly}.dll is also at the top");
    }

    [Fact]
    public void NativeSqliteShipsForTheSupportedPlatformsOnly()
    {
        var runtimes = Path.Combine(Dependencies, "runtimes");
        Assert.Equal(SupportedRids, Directory.GetDirectories(runtimes).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var rid in SupportedRids)
        {
            var file = rid.StartsWith("win", StringComparison.Ordinal) ? "e_sqlite3.dll" : rid.StartsWith("osx", StringComparison.Ordinal) ? "libe_sqlite3.dylib" : "libe_sqlite3.so";
            Assert.True(File.Exists(Path.Combine(runtimes, rid, "native", file)), $"{rid}: {file} missing");
        }
        // Nothing native where PowerShell's default context would look.
        var top = Path.Combine(_module.ModuleDirectory, "runtimes");
        Assert.False(Directory.Exists(top) && Directory.EnumerateFiles(top, "*", SearchOption.AllDirectories).Any(), $"native files in {top}");
    }

    [Fact]
    public void EveryOutputTypeLivesInTheDependencyFreeModelsAssembly()
    {
        var outputs = _module.Cmdlets.SelectMany(c => c.OutputTypes).Distinct().ToList();
        Assert.NotEmpty(outputs);
        foreach (var name in outputs)
        {
            var type = _module.FindType(name);
            Assert.True(type is not null, $"{name} not found");
            Assert.Equal(Models, type!.Assembly.GetName().Name);
            Assert.Equal("CinderBackup", type.Namespace);
        }
        var models = _module.FindType("CinderBackup.VolumeBackup")!.Assembly;
        var references = models.GetReferencedAssemblies();
        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.True(IsFramework(r), $"{Models} references {r.Name}: it must depend on .NET only"));
    }

    [Fact]
    public void TheCmdletsReferenceOnlyPowerShellTheModelsAndTheEngine()
    {
        var references = _module.Module.GetReferencedAssemblies().Where(r => !IsFramework(r)).Select(r => r.Name).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { Engine, Models }, references);
    }

    /// <summary>
    /// The benchmark (src/CinderBackup.Bench, with its Cinder harness and reference commands) ships with the CLI only:
    /// neither a Bench assembly in the module's folder nor benchmark types inside the engine it carries.
    /// </summary>
    [Fact]
    public void TheModuleCarriesNoBenchmark()
    {
        var files = Directory.GetFiles(_module.ModuleDirectory, "*", SearchOption.AllDirectories);
        Assert.DoesNotContain(files, f => Path.GetFileName(f).Equals("CinderBackup.Bench.dll", StringComparison.OrdinalIgnoreCase));
        var types = _module.Load(Engine).GetTypes();
        Assert.NotEmpty(types);
        var bench = types.Where(t => t.Namespace is { } ns && (ns.EndsWith(".Bench", StringComparison.Ordinal) || ns.Contains(".Bench.", StringComparison.Ordinal)))
            .Select(t => t.FullName);
        Assert.Empty(bench);
    }

    /// <summary>
    /// PowerShell reads the cmdlet assembly's public types before the module's initializer hooks up the load context:
    /// a public type that needs the engine to load (an engine base type or interface, a field of an engine value type)
    /// would make Import-Module fail to find CinderBackup.Engine.
    /// </summary>
    [Fact]
    public void NoPublicTypeOfTheCmdletsNeedsTheEngineToLoad()
    {
        static bool FromEngine(Type t) => t.Assembly.GetName().Name == Engine || (t.IsGenericType && t.GetGenericArguments().Any(FromEngine));
        var exported = _module.Module.GetExportedTypes();
        Assert.NotEmpty(exported);
        foreach (var type in exported)
        {
            for (var t = type; t is not null; t = t.BaseType)
            {
                Assert.False(FromEngine(t), $"{type.FullName} derives from {t.FullName}");
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    Assert.False(field.FieldType.IsValueType && FromEngine(field.FieldType), $"{t.FullName}.{field.Name} is of the engine's value type {field.FieldType.FullName}");
                }
            }
            Assert.All(type.GetInterfaces(), i => Assert.False(FromEngine(i), $"{type.FullName} implements {i.FullName}"));
        }
    }
}
