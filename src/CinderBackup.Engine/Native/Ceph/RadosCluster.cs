using System.Runtime.InteropServices;
using System.Text;

namespace CinderBackup.Engine.Native.Ceph;

/// <summary>
/// One connection to a Ceph cluster (a rados_t): read from a ceph.conf, as a client user (<c>client.NAME</c>), with
/// the keyring the conf names or the one given. Thread-safe; pools are opened on it (<see cref="OpenPool"/>).
/// </summary>
internal sealed unsafe class RadosCluster : IDisposable
{
    private IntPtr _handle;

    private RadosCluster(IntPtr handle) => _handle = handle;

    /// <summary>Connects, as Cinder's RADOSClient does: <paramref name="confPath"/> and <paramref name="user"/> (without <c>client.</c>).</summary>
    public static RadosCluster Connect(string confPath, string user, string? keyring = null, int timeoutSeconds = 30)
    {
        var rc = RadosNative.Create2(out var handle, "ceph", "client." + user, 0);
        CephException.Check(rc, $"Cannot make a Ceph client for user '{user}'");
        var cluster = new RadosCluster(handle);
        try
        {
            CephException.Check(RadosNative.ConfReadFile(handle, confPath), $"Cannot read Ceph configuration '{confPath}'");
            if (keyring is not null)
            {
                CephException.Check(RadosNative.ConfSet(handle, "keyring", keyring), "Cannot set the keyring");
            }
            var seconds = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // Without these a client waits forever for a cluster that is down.
            RadosNative.ConfSet(handle, "client_mount_timeout", seconds);
            RadosNative.ConfSet(handle, "rados_mon_op_timeout", seconds);
            RadosNative.ConfSet(handle, "rados_osd_op_timeout", seconds);
            // The client's own log goes nowhere unless the conf asks; never to our stderr.
            RadosNative.ConfSet(handle, "log_to_stderr", "false");
            RadosNative.ConfSet(handle, "err_to_stderr", "false");
            CephException.Check(RadosNative.Connect(handle), $"Cannot connect to the Ceph cluster of '{confPath}' as client.{user}");
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    private IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(RadosCluster));

    public bool PoolExists(string pool)
    {
        var id = RadosNative.PoolLookup(Handle, pool);
        return id >= 0 || (id == -CephException.ENOENT ? false : throw new CephException($"Cannot look up pool '{pool}'", (int)id));
    }

    /// <summary>Creates a pool (and tags it for rbd, as <c>ceph osd pool application enable POOL rbd</c>).</summary>
    public void CreatePool(string pool, string application = "rbd")
    {
        CephException.Check(RadosNative.PoolCreate(Handle, pool), $"Cannot create pool '{pool}'");
        using var p = OpenPool(pool);
        CephException.Check(RadosNative.ApplicationEnable(p.Handle, application, 1), $"Cannot enable application '{application}' on pool '{pool}'");
    }

    public RadosPool OpenPool(string pool)
    {
        CephException.Check(RadosNative.IoctxCreate(Handle, pool, out var ioctx), $"Cannot open pool '{pool}'");
        return new RadosPool(this, pool, ioctx);
    }

    /// <summary>A monitor command (JSON, as <c>ceph</c> sends it); returns its output, or throws with the monitor's status text.</summary>
    public string MonCommand(string json)
    {
        var command = Marshal.StringToCoTaskMemUTF8(json);
        try
        {
            var commands = stackalloc IntPtr[1];
            commands[0] = command;
            var rc = RadosNative.MonCommand(Handle, commands, 1, null, 0, out var outBuffer, out var outLength, out var status, out var statusLength);
            try
            {
                var output = outBuffer == IntPtr.Zero ? "" : Encoding.UTF8.GetString((byte*)outBuffer, (int)outLength);
                var text = status == IntPtr.Zero ? "" : Encoding.UTF8.GetString((byte*)status, (int)statusLength);
                CephException.Check(rc, $"Monitor command failed ({text})");
                return output;
            }
            finally
            {
                if (outBuffer != IntPtr.Zero)
                {
                    RadosNative.BufferFree(outBuffer);
                }
                if (status != IntPtr.Zero)
                {
                    RadosNative.BufferFree(status);
                }
            }
        }
        finally
        {
            Marshal.FreeCoTaskMem(command);
        }
    }

    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (handle != IntPtr.Zero)
        {
            RadosNative.Shutdown(handle);
        }
    }
}
