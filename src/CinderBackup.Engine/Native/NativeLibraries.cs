using System.Reflection;
using System.Runtime.InteropServices;
using CinderBackup.Engine.Codecs;

namespace CinderBackup.Engine.Native;

/// <summary>
/// Maps the library names of our own bindings to the system's files: "zstd" to libzstd.so.1 (Debian ships no
/// libzstd.so without its -dev package), "bz2" to libbz2.so.1.0, and their macOS and Windows names. Native SQLite is
/// not ours to find: an app host (the CLI, test hosts) resolves it from its deps.json, the PowerShell module from its
/// load context's dependencies folder.
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
                // A resolver was set for this assembly already; it stays.
            }
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        var systemNames = name switch
        {
            Codecs.ZstdNative.Library => Codecs.ZstdNative.SystemNames(),
            Codecs.Bz2Native.Library => Codecs.Bz2Native.SystemNames(),
            _ => Enumerable.Empty<string>(),
        };
        foreach (var system in systemNames)
        {
            if (NativeLibrary.TryLoad(system, assembly, searchPath, out var handle))
            {
                return handle;
            }
        }
        return IntPtr.Zero; // the default probing
    }
}
