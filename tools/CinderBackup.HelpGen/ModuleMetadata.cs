using System.Reflection;

namespace CinderBackup.HelpGen;

/// <summary>
/// Reads cmdlets, parameters and attributes from the built CinderBackup.dll with MetadataLoadContext, so
/// tests and the help generator see exactly what PowerShell will see, without a PowerShell runtime. The build
/// folder is the module's layout: CinderBackup.dll and CinderBackup.Models.dll at the top, the engine and its
/// third-party assemblies in <see cref="DependencyFolder"/>.
/// </summary>
public sealed class ModuleMetadata : IDisposable
{
    public const string DependencyFolder = "dependencies";
    private const string Sma = "System.Management.Automation.";
    private readonly MetadataLoadContext _context;

    public ModuleMetadata(string moduleDirectory, string smaReferencePath)
    {
        ModuleDirectory = moduleDirectory;
        var paths = new List<string>(Directory.GetFiles(moduleDirectory, "*.dll"));
        var dependencies = Path.Combine(moduleDirectory, DependencyFolder);
        if (Directory.Exists(dependencies))
        {
            paths.AddRange(Directory.GetFiles(dependencies, "*.dll"));
        }
        paths.Add(smaReferencePath);
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var known = paths.Select(Path.GetFileName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        paths.AddRange(Directory.GetFiles(runtime, "*.dll").Where(p => !known.Contains(Path.GetFileName(p))));
        _context = new MetadataLoadContext(new PathAssemblyResolver(paths), "System.Runtime");
        Module = _context.LoadFromAssemblyPath(Path.Combine(moduleDirectory, "CinderBackup.dll"));
        SmaAssembly = _context.LoadFromAssemblyPath(smaReferencePath);
        Cmdlets = Module.GetExportedTypes().Select(Read).Where(c => c is not null).Select(c => c!).OrderBy(c => c.Name).ToList();
    }

    public static ModuleMetadata FromBuild()
    {
        var meta = typeof(ModuleMetadata).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value!);
        return new ModuleMetadata(meta["ModuleBuildDir"], meta["SmaReference"]);
    }

    public static string RepositoryRoot => Path.GetFullPath(typeof(ModuleMetadata).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "RepositoryRoot").Value!);

    /// <summary>The module's folder (the build output).</summary>
    public string ModuleDirectory { get; }

    public Assembly Module { get; }

    public Assembly SmaAssembly { get; }

    public IReadOnlyList<CmdletInfo> Cmdlets { get; }

    /// <summary>The approved verbs: every constant of the Verbs* classes of System.Management.Automation.</summary>
    public IReadOnlySet<string> ApprovedVerbs => SmaAssembly.GetExportedTypes()
        .Where(t => t.Namespace == "System.Management.Automation" && t.Name.StartsWith("Verbs", StringComparison.Ordinal))
        .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>A type of the module or of an assembly it references (output types live in CinderBackup.Models).</summary>
    public Type? FindType(string fullName) =>
        Module.GetType(fullName) ?? Module.GetReferencedAssemblies()
            .Where(a => a.Name is not null && a.Name.StartsWith("CinderBackup", StringComparison.Ordinal))
            .Select(a => _context.LoadFromAssemblyName(a).GetType(fullName))
            .FirstOrDefault(t => t is not null);

    /// <summary>An assembly of the module's folder (or of .NET) by name, for reading its types.</summary>
    public Assembly Load(string assemblyName) => _context.LoadFromAssemblyName(assemblyName);

    public void Dispose() => _context.Dispose();

    private static CmdletInfo? Read(Type type)
    {
        var cmdlet = type.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == Sma + "CmdletAttribute");
        if (cmdlet is null)
        {
            return null;
        }
        string? Named(CustomAttributeData a, string name) =>
            a.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value?.ToString()).FirstOrDefault();

        var impactValue = cmdlet.NamedArguments.Where(n => n.MemberName == "ConfirmImpact").Select(n => (int)n.TypedValue.Value!).FirstOrDefault(2);
        var impact = impactValue switch { 0 => "None", 1 => "Low", 3 => "High", _ => "Medium" };
        var outputs = type.GetCustomAttributesData()
            .Where(a => a.AttributeType.FullName == Sma + "OutputTypeAttribute")
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => i.Value) : new[] { arg.Value })
            .Select(v => v is Type t ? t.FullName! : v?.ToString() ?? "")
            .ToList();

        var parameters = new List<ParameterInfo>();
        foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var attrs = prop.GetCustomAttributesData();
            var sets = attrs.Where(a => a.AttributeType.FullName == Sma + "ParameterAttribute").Select(a => new ParameterSetInfo(
                Named(a, "ParameterSetName") ?? ParameterSetInfo.AllSets,
                Named(a, "Mandatory") == "True",
                int.TryParse(Named(a, "Position"), out var pos) ? pos : int.MinValue,
                Named(a, "ValueFromPipeline") == "True",
                Named(a, "ValueFromPipelineByPropertyName") == "True")).ToList();
            if (sets.Count == 0)
            {
                continue;
            }
            var aliases = attrs.Where(a => a.AttributeType.FullName == Sma + "AliasAttribute")
                .SelectMany(a => a.ConstructorArguments)
                .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => (string)i.Value!) : new[] { (string)arg.Value! })
                .ToList();
            var wildcards = attrs.Any(a => a.AttributeType.FullName == Sma + "SupportsWildcardsAttribute");
            var completer = attrs.Where(a => a.AttributeType.FullName == Sma + "ArgumentCompleterAttribute")
                .Select(a => (a.ConstructorArguments.FirstOrDefault().Value as Type)?.FullName).FirstOrDefault();
            parameters.Add(new ParameterInfo(prop.Name, TypeDisplay(prop.PropertyType), aliases, sets, wildcards,
                prop.PropertyType.FullName == Sma + "SwitchParameter", completer));
        }
        return new CmdletInfo(type.FullName!, (string)cmdlet.ConstructorArguments[0].Value!, (string)cmdlet.ConstructorArguments[1].Value!,
            Named(cmdlet, "SupportsShouldProcess") == "True", impact, Named(cmdlet, "DefaultParameterSetName"), outputs,
            parameters.OrderBy(p => Order(p)).ThenBy(p => p.Name).ToList(), type.IsSealed);
    }

    private static int Order(ParameterInfo p) => p.Sets.Select(s => s.Position).Where(x => x >= 0).DefaultIfEmpty(100).Min();

    /// <summary>Type names as PowerShell help shows them (String, Int32, String[], SwitchParameter, Nullable`1 unwrapped).</summary>
    internal static string TypeDisplay(Type t)
    {
        if (t.IsGenericType && t.GetGenericTypeDefinition().FullName == "System.Nullable`1")
        {
            return TypeDisplay(t.GetGenericArguments()[0]);
        }
        if (t.IsArray)
        {
            return TypeDisplay(t.GetElementType()!) + "[]";
        }
        return t.Namespace switch
        {
            "System" or "System.Management.Automation" or "System.Collections" => t.Name,
            _ => t.FullName ?? t.Name,
        };
    }
}
