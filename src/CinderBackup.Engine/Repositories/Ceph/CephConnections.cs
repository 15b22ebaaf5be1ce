using CinderBackup.Engine.Native.Ceph;

namespace CinderBackup.Engine.Repositories.Ceph;

/// <summary>
/// The process's librados connections, one per (ceph.conf, user), lent out for the length of one repository call and
/// shut down (rados_shutdown) once no call has used it for <see cref="Linger"/>. Each connection runs a dozen threads
/// and holds sockets to every monitor and OSD: the resolvers an operation makes each opened their own and never closed
/// it, so a long-running service grew by one per operation.
/// </summary>
internal static class CephConnections
{
    private static readonly Dictionary<(string Conf, string User), Entry> Open = new();

    /// <summary>How long an unused connection stays open for the next call (a backup's steps, a service's next job).</summary>
    internal static TimeSpan Linger { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections made so far (tests count them).</summary>
    internal static long Connects => Interlocked.Read(ref _connects);

    /// <summary>Connections open now.</summary>
    internal static int OpenCount
    {
        get
        {
            lock (Open)
            {
                return Open.Count;
            }
        }
    }

    private static long _connects;

    /// <summary>The connection for <paramref name="conf"/> and <paramref name="user"/>, made with <paramref name="connect"/> when none is open; dispose the lease when done.</summary>
    public static Lease Acquire(string conf, string user, Func<RadosCluster> connect)
    {
        var key = (conf, user);
        lock (Open)
        {
            if (Open.TryGetValue(key, out var entry))
            {
                entry.Users++;
                entry.Idle?.Dispose();
                entry.Idle = null;
                return new Lease(key, entry);
            }
        }
        // Connecting can take up to the mount timeout (a cluster that is down): not under the lock.
        var cluster = connect();
        Interlocked.Increment(ref _connects);
        lock (Open)
        {
            if (Open.TryGetValue(key, out var raced))
            {
                raced.Users++;
                raced.Idle?.Dispose();
                raced.Idle = null;
                cluster.Dispose();
                return new Lease(key, raced);
            }
            var entry = new Entry(cluster) { Users = 1 };
            Open[key] = entry;
            return new Lease(key, entry);
        }
    }

    /// <summary>Shuts down every connection nobody is using now (tests; a service stopping).</summary>
    internal static void CloseIdle()
    {
        List<Entry> closing;
        lock (Open)
        {
            closing = Open.Where(e => e.Value.Users == 0).Select(e => e.Value).ToList();
            foreach (var key in Open.Where(e => e.Value.Users == 0).Select(e => e.Key).ToList())
            {
                Open.Remove(key);
            }
        }
        foreach (var entry in closing)
        {
            entry.Idle?.Dispose();
            entry.Cluster.Dispose();
        }
    }

    private static void Release((string, string) key, Entry entry)
    {
        lock (Open)
        {
            if (--entry.Users > 0 || !Open.TryGetValue(key, out var current) || current != entry)
            {
                return;
            }
            var linger = Linger;
            if (linger > TimeSpan.Zero)
            {
                entry.Idle = new Timer(_ => Expire(key, entry), null, linger, Timeout.InfiniteTimeSpan);
                return;
            }
            Open.Remove(key);
        }
        entry.Cluster.Dispose();
    }

    private static void Expire((string, string) key, Entry entry)
    {
        lock (Open)
        {
            if (entry.Users > 0 || !Open.TryGetValue(key, out var current) || current != entry)
            {
                return;
            }
            Open.Remove(key);
            entry.Idle?.Dispose();
            entry.Idle = null;
        }
        entry.Cluster.Dispose();
    }

    internal sealed class Entry
    {
        public Entry(RadosCluster cluster) => Cluster = cluster;

        public RadosCluster Cluster { get; }

        public int Users { get; set; }

        public Timer? Idle { get; set; }
    }

    /// <summary>One call's use of a connection.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly (string, string) _key;
        private Entry? _entry;

        internal Lease((string, string) key, Entry entry)
        {
            _key = key;
            _entry = entry;
            Cluster = entry.Cluster;
        }

        public RadosCluster Cluster { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _entry, null) is { } entry)
            {
                Release(_key, entry);
            }
        }
    }
}
