using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace CinderBackup.Commands.Loading;

/// <summary>
/// The module's own load context (the PowerShell team's pattern for binary modules with dependencies): the engine,
/// its third-party assemblies (AWSSDK, YamlDotNet, Microsoft.Data.Sqlite and SQLitePCLRaw, SharpZipLib, ZstdSharp)
/// and native SQLite load from the <c>dependencies</c> folder next to CinderBackup.dll, so a session that loaded other
/// versions of them (the powershell-yaml module's YamlDotNet, AWS.Tools' AWSSDK) and ours do not meet. The public
/// types (CinderBackup.Models) are shared with PowerShell's default context, where users' scripts resolve them.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    public const string FolderName = "dependencies";

    private static readonly Lazy<DependencyLoadContext> Instance = new(() =>
        new DependencyLoadContext(Path.Combine(Path.GetDirectoryName(typeof(DependencyLoadContext).Assembly.Location)!, FolderName)));

    private static readonly Assembly SharedTypes = typeof(VolumeBackup).Assembly;

    private readonly string _directory;

    private DependencyLoadContext(string directory)
        : base("CinderBackup")
    {
        _directory = directory;
    }

    /// <summary>The one context of this module in the process (a second import reuses it).</summary>
    public static DependencyLoadContext Shared => Instance.Value;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (string.Equals(assemblyName.Name, SharedTypes.GetName().Name, StringComparison.OrdinalIgnoreCase))
        {
            return SharedTypes; // the copy the cmdlets, PowerShell and users' scripts see
        }
        var path = Path.Combine(_directory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null; // null: .NET's own, from the default context
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var candidate in NativeCandidates(_directory, unmanagedDllName))
        {
            if (File.Exists(candidate))
            {
                return LoadUnmanagedDllFromPath(candidate);
            }
        }
        return IntPtr.Zero; // the system's libraries (libc, libzstd, libbz2) by the default search
    }

    /// <summary>Where a native library we ship would be: runtimes/&lt;rid&gt;/native/, most specific identifier first.</summary>
    internal static IEnumerable<string> NativeCandidates(string directory, string name)
    {
        var file = OperatingSystem.IsWindows() ? name + ".dll"
            : (name.StartsWith("lib", StringComparison.Ordinal) ? name : "lib" + name) + (OperatingSystem.IsMacOS() ? ".dylib" : ".so");
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var rids = OperatingSystem.IsWindows() ? new[] { "win-" + arch }
            : OperatingSystem.IsMacOS() ? new[] { "osx-" + arch }
            : File.Exists("/etc/alpine-release") ? new[] { "linux-musl-" + arch, "linux-" + arch }
            : new[] { "linux-" + arch };
        return rids.Select(rid => Path.Combine(directory, "runtimes", rid, "native", file));
    }
}
