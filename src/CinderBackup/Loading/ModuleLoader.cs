using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace CinderBackup.Commands.Loading;

/// <summary>
/// Runs when PowerShell imports the module: the default context, asked for the engine by the cmdlets, gets it from
/// <see cref="DependencyLoadContext"/>. Only the engine is resolved this way; everything it needs is bound inside that
/// context, never in the session's default one.
/// </summary>
public sealed class ModuleLoader : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineAssembly = "CinderBackup.Engine";
    private static int _hooked;

    public void OnImport()
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            AssemblyLoadContext.Default.Resolving += ResolveEngine;
        }
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        if (Interlocked.Exchange(ref _hooked, 0) == 1)
        {
            AssemblyLoadContext.Default.Resolving -= ResolveEngine;
        }
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
        string.Equals(name.Name, EngineAssembly, StringComparison.OrdinalIgnoreCase) ? DependencyLoadContext.Shared.LoadFromAssemblyName(name) : null;
}
