using System.Collections.Concurrent;
using System.Management.Automation.Runspaces;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>One <see cref="SessionContext"/> per runspace, so parallel runspaces and jobs never share identity.</summary>
internal static class SessionContextStore
{
    private static readonly ConcurrentDictionary<Guid, SessionContext> Contexts = new();

    private static Guid Key => Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;

    public static SessionContext Current => Contexts.TryGetValue(Key, out var c) ? c : SessionContext.Empty;

    public static void Set(SessionContext context) => Contexts[Key] = context;

    public static void Reset() => Contexts.TryRemove(Key, out _);
}
