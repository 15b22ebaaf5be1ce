using System.Reflection;
using System.Runtime.InteropServices;

namespace CinderBackup.Engine.Native;

/// <summary>
/// Finds native libraries shipped in <c>runtimes/&lt;rid&gt;/native/</c> next to our assemblies. An app host
/// (the CLI, test hosts) resolves them from its deps.json; a PowerShell module is not the app, so without
/// this the SQLite provider would not find <c>e_sqlite3</c> when pwsh loads the module.
/// </summary>
internal static class NativeLibraries
{
    private static readonly object Gate = new();
    private static readonly HashSet<Assembly> Registered = new();

    public static void RegisterFor(Assembly assembly)
    {
        lock (Gate)
        {
            if (!Registered.Add(assembly))
            {
                return;
            }
            try
            {
                NativeLibrary.SetDllImportResolver(assembly, Resolve);
            }
            catch (InvalidOperationException)
            {
                // Someone (another module in the same process) registered first; their resolver stays.
            }
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        var systemNames = name switch
        {
            Codecs.ZstdNative.Library => Codecs.ZstdNative.SystemNames(),
            Codecs.Bz2Native.Library => Codecs.Bz2Native.SystemNames(),
            _ => null,
        };
        if (systemNames is not null)
        {
            // The system's library first; a copy shipped in runtimes/<rid>/native (e.g. on Windows) second.
            foreach (var system in systemNames)
            {
                if (NativeLibrary.TryLoad(system, assembly, searchPath, out var h))
                {
                    return h;
                }
            }
            name = "lib" + name;
        }
        var baseDir = Path.GetDirectoryName(assembly.Location);
        if (string.IsNullOrEmpty(baseDir))
        {
            return IntPtr.Zero;
        }
        foreach (var candidate in Candidates(baseDir, name))
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }
        return IntPtr.Zero; // fall back to the default probing
    }

    /// <summary>Paths to try, most specific runtime identifier first.</summary>
    internal static IEnumerable<string> Candidates(string baseDir, string name)
    {
        var file = FileName(name);
        foreach (var rid in RuntimeIdentifiers())
        {
            yield return Path.Combine(baseDir, "runtimes", rid, "native", file);
        }
        yield return Path.Combine(baseDir, file);
    }

    internal static IEnumerable<string> RuntimeIdentifiers()
    {
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.X86 => "x86",
            Architecture.Arm64 => "arm64",
            Architecture.Arm => "arm",
            var other => other.ToString().ToLowerInvariant(),
        };
        if (OperatingSystem.IsWindows())
        {
            yield return "win-" + arch;
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return "osx-" + arch;
            yield return "osx";
        }
        else
        {
            if (File.Exists("/etc/alpine-release"))
            {
                yield return "linux-musl-" + arch;
                yield return "alpine-" + arch;
            }
            yield return "linux-" + arch;
        }
    }

    private static string FileName(string name)
    {
        if (Path.HasExtension(name) && !name.EndsWith(".1", StringComparison.Ordinal))
        {
            return name;
        }
        if (OperatingSystem.IsWindows())
        {
            return name + ".dll";
        }
        var lib = name.StartsWith("lib", StringComparison.Ordinal) ? name : "lib" + name;
        return lib + (OperatingSystem.IsMacOS() ? ".dylib" : ".so");
    }
}
