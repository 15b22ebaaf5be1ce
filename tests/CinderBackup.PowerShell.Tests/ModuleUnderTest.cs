using System.Reflection;
using System.Security.Cryptography;

namespace CinderBackup.PowerShell.Tests;

/// <summary>
/// The module as users import it: the psd1 in out/CinderBackup that build.ps1 lays out. It must be current, i.e. its
/// assemblies the ones just built from src/CinderBackup: when they are not, build.ps1 is run once (dotnet pwsh), and
/// a module that is still missing or stale fails every test with a message saying what to run.
/// </summary>
internal static class ModuleUnderTest
{
    private static readonly Lazy<string> Manifest = new(Prepare, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string RepositoryRoot { get; } = Path.GetFullPath(Metadata("RepositoryRoot"));

    public static string Configuration { get; } = Metadata("Configuration");

    public static string ModuleDirectory => Path.Combine(RepositoryRoot, "out", "CinderBackup");

    /// <summary>The psd1 to import; throws (failing the test) when the module cannot be made current.</summary>
    public static string ManifestPath => Manifest.Value;

    private static string Prepare()
    {
        var problem = Staleness();
        if (problem is not null)
        {
            var (code, output) = ChildPwsh.Run(new[] { "-NoProfile", "-NonInteractive", "-File", Path.Combine(RepositoryRoot, "build.ps1"), "-Configuration", Configuration }, timeoutSeconds: 900);
            var after = Staleness();
            if (code != 0 || after is not null)
            {
                throw new InvalidOperationException(
                    $"The module in {ModuleDirectory} is not current ({after ?? problem}) and 'dotnet pwsh ./build.ps1 -Configuration {Configuration}' " +
                    $"did not make it so (exit code {code}). Run it from {RepositoryRoot} and look at its output:\n{output}");
            }
        }
        return Path.Combine(ModuleDirectory, "CinderBackup.psd1");
    }

    /// <summary>Why out/CinderBackup is not the module just built, or null when it is.</summary>
    private static string? Staleness()
    {
        var built = Path.Combine(RepositoryRoot, "src", "CinderBackup", "bin", Configuration, "net8.0");
        if (!File.Exists(Path.Combine(built, "CinderBackup.dll")))
        {
            return $"src/CinderBackup was not built: {built} has no CinderBackup.dll";
        }
        if (!File.Exists(Path.Combine(ModuleDirectory, "CinderBackup.psd1")))
        {
            return "out/CinderBackup/CinderBackup.psd1 does not exist";
        }
        var laidOut = Directory.EnumerateFiles(ModuleDirectory, "CinderBackup*.dll", SearchOption.AllDirectories)
            .GroupBy(Path.GetFileName).ToDictionary(g => g.Key!, g => g.ToList());
        var compared = 0;
        foreach (var dll in Directory.EnumerateFiles(built, "CinderBackup*.dll"))
        {
            var name = Path.GetFileName(dll);
            if (!laidOut.TryGetValue(name, out var copies))
            {
                continue; // an assembly the layout does not ship
            }
            var hash = Hash(dll);
            if (copies.Any(c => Hash(c) != hash))
            {
                return $"out/CinderBackup's {name} differs from the one just built";
            }
            compared++;
        }
        return compared == 0 ? "out/CinderBackup has none of the assemblies just built" : null;
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static string Metadata(string key) =>
        typeof(ModuleUnderTest).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
