using System.Reflection;
using System.Runtime.InteropServices;

namespace CinderBackup.Engine.Native;

/// <summary>
/// Maps the library names of our own bindings to the system's files. Each binding registers its library with the names
/// to try (the codecs: "zstd" to libzstd.so.1, since Debian ships no libzstd.so without its -dev package, "bz2" to
/// libbz2.so.1.0, and their macOS and Windows names). Native SQLite is not ours to find: an app host (the CLI, test
/// hosts) resolves it from its deps.json, the PowerShell module from its load context's dependencies folder.
/// </summary>
internal static class NativeLibraries
{
    private static readonly object Gate = new();
    private static readonly HashSet<Assembly> Registered = new();
    private static readonly Dictionary<string, Func<IEnumerable<string>>> Libraries = new(StringComparer.Ordinal);

    /// <summary>
    /// Resolves <paramref name="library"/> (a <c>LibraryImport</c> name of <paramref name="assembly"/>) to the first of
    /// <paramref name="systemNames"/> that loads.
    /// </summary>
    public static void Register(Assembly assembly, string library, Func<IEnumerable<string>> systemNames)
    {
        lock (Gate)
        {
            Libraries[library] = systemNames;
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
                // A resolver was set for this assembly already; it stays.
            }
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        Func<IEnumerable<string>>? systemNames;
        lock (Gate)
        {
            Libraries.TryGetValue(name, out systemNames);
        }
        foreach (var system in systemNames?.Invoke() ?? Enumerable.Empty<string>())
        {
            if (NativeLibrary.TryLoad(system, assembly, searchPath, out var handle))
            {
                return handle;
            }
        }
        return IntPtr.Zero; // the default probing
    }
}
