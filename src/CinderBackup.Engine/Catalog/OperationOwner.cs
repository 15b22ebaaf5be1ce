
namespace CinderBackup.Engine.Catalog;

/// <summary>The process that runs an operation: host and pid, and when it took the operation (to tell a reused pid).</summary>
internal sealed record OperationOwner(string Host, int Pid, DateTime Since)
{
    /// <summary>This process, on <paramref name="host"/> (the configured host name).</summary>
    public static OperationOwner Current(string host) => new(host, Environment.ProcessId, Util.Clock.UtcNow);
}
