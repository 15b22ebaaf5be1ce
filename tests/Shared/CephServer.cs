using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace CinderBackup.Tests.Shared;

/// <summary>
/// A one-node Ceph cluster for tests, from Debian's packages (ceph-mon, ceph-osd, ceph-common): one mon and one
/// memstore OSD on 127.0.0.1 and free ports, cephx on, in a temporary directory, with the pools the tests ask for
/// (rbd application enabled). Started on construction (about 7 s); <see cref="Dispose"/> kills both daemons by their
/// pids and removes the directory, and so does process exit if a test host dies before disposing. Memstore keeps every
/// byte in RAM (about twice what is stored) and loses everything on restart: keep volumes small, never restart it.
/// </summary>
public sealed class CephServer : IDisposable
{
    private readonly List<Process> _daemons = new();
    private readonly StringBuilder _log = new();
    private bool _disposed;

    public CephServer(long memstoreBytes = 1L << 30, params string[] pools)
    {
        Missing = MissingTools();
        if (Missing is not null)
        {
            throw new InvalidOperationException($"Ceph is not installed ({Missing}): apt-get install ceph-mon ceph-osd ceph-common (scripts/test.sh does).");
        }
        Directory = Path.Combine(Path.GetTempPath(), "cb-ceph-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
        AppDomain.CurrentDomain.ProcessExit += OnExit;
        try
        {
            Start(memstoreBytes, pools.Length == 0 ? new[] { "backups", "volumes" } : pools);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The cluster's directory (conf, keyrings, mon and OSD data, logs).</summary>
    public string Directory { get; }

    public string ConfPath => Path.Combine(Directory, "ceph.conf");

    /// <summary>client.admin's keyring, which the conf names for every client.</summary>
    public string AdminKeyring => Path.Combine(Directory, "ceph.client.admin.keyring");

    public string Fsid { get; } = Guid.NewGuid().ToString();

    /// <summary>Null when the Ceph daemons and tools are installed; otherwise what is missing.</summary>
    public string? Missing { get; }

    public static string? MissingTools()
    {
        foreach (var tool in new[] { "/usr/bin/ceph-mon", "/usr/bin/ceph-osd", "/usr/bin/ceph", "/usr/bin/ceph-authtool", "/usr/bin/monmaptool" })
        {
            if (!File.Exists(tool))
            {
                return tool;
            }
        }
        return File.Exists("/usr/lib/x86_64-linux-gnu/librbd.so.1") || File.Exists("/usr/lib/aarch64-linux-gnu/librbd.so.1") ? null : "librbd.so.1";
    }

    public bool IsRunning => _daemons.Count == 2 && _daemons.All(d => !d.HasExited);

    /// <summary>Runs the <c>ceph</c> CLI (or another Ceph tool) against this cluster, with a timeout; returns stdout, throws on failure.</summary>
    public string Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["CEPH_CONF"] = ConfPath;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} did not finish in 60 s.");
        }
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited with {p.ExitCode}: {stderr.Result}{stdout.Result}");
        }
        return stdout.Result;
    }

    public string Ceph(params string[] args) => Run("/usr/bin/ceph", args);

    public string Rbd(params string[] args) => Run("/usr/bin/rbd", args);

    public string Rados(params string[] args) => Run("/usr/bin/rados", args);

    /// <summary>
    /// Writes <paramref name="data"/> into an image at an offset, by `rbd import-diff` of a one-record diff stream (format
    /// "rbd diff v1": the image size, one write, the end), so no kernel mapping or Python binding is needed.
    /// </summary>
    public void Put(string poolImage, long imageSize, long offset, byte[] data)
    {
        var file = Path.Combine(Directory, $"put-{Guid.NewGuid():N}.diff");
        using (var fs = new FileStream(file, FileMode.Create))
        using (var w = new BinaryWriter(fs))
        {
            w.Write("rbd diff v1\n"u8);
            w.Write((byte)'s');
            w.Write(imageSize);
            w.Write((byte)'w');
            w.Write(offset);
            w.Write((long)data.Length);
            w.Write(data);
            w.Write((byte)'e');
        }
        Rbd("import-diff", file, poolImage);
        File.Delete(file);
    }

    public void CreatePool(string pool)
    {
        Ceph("osd", "pool", "create", pool, "8", "8");
        Ceph("osd", "pool", "application", "enable", pool, "rbd");
    }

    private void Start(long memstoreBytes, IEnumerable<string> pools)
    {
        var v2 = MotoServer.FreePort();
        var v1 = MotoServer.FreePort();
        // The OSD binds several ports in this range; a random range of 100 above 20000 rarely meets another's.
        var low = 20000 + Random.Shared.Next(0, 400) * 100;
        var mon = $"[v2:127.0.0.1:{v2},v1:127.0.0.1:{v1}]";
        var d = Directory;
        foreach (var sub in new[] { "run", "log", "mon", "osd" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(d, sub));
        }
        File.WriteAllText(ConfPath, string.Join('\n',
            "[global]",
            $"fsid = {Fsid}",
            $"mon host = {mon}",
            "public addr = 127.0.0.1",
            "cluster addr = 127.0.0.1",
            "ms bind ipv6 = false",
            $"ms bind port min = {low}",
            $"ms bind port max = {low + 99}",
            "auth cluster required = cephx",
            "auth service required = cephx",
            "auth client required = cephx",
            "auth allow insecure global id reclaim = false",
            $"run dir = {d}/run",
            $"admin socket = {d}/run/$name.$pid.asok",
            $"log file = {d}/log/$name.log",
            "osd pool default size = 1",
            "osd pool default min size = 1",
            "osd pool default pg num = 8",
            "osd pool default pgp num = 8",
            "osd crush chooseleaf type = 0",
            "mon allow pool size one = true",
            "mon allow pool delete = true",
            "mon warn on pool no redundancy = false",
            "mon data avail warn = 2",
            "mon data avail crit = 1",
            "[mon]",
            $"mon data = {d}/mon/$cluster-$id",
            "[osd]",
            $"osd data = {d}/osd/$cluster-$id",
            $"keyring = {d}/osd/$cluster-$id/keyring",
            "osd objectstore = memstore",
            $"memstore device bytes = {memstoreBytes.ToString(CultureInfo.InvariantCulture)}",
            "[client]",
            $"keyring = {AdminKeyring}",
            ""));
        var monKeyring = Path.Combine(d, "mon.keyring");
        Run("/usr/bin/ceph-authtool", "--create-keyring", monKeyring, "--gen-key", "-n", "mon.", "--cap", "mon", "allow *");
        Run("/usr/bin/ceph-authtool", "--create-keyring", AdminKeyring, "--gen-key", "-n", "client.admin",
            "--cap", "mon", "allow *", "--cap", "osd", "allow *", "--cap", "mds", "allow *", "--cap", "mgr", "allow *");
        Run("/usr/bin/ceph-authtool", monKeyring, "--import-keyring", AdminKeyring);
        var monmap = Path.Combine(d, "monmap");
        Run("/usr/bin/monmaptool", "--create", "--fsid", Fsid, "--addv", "a", mon, monmap);
        Run("/usr/bin/ceph-mon", "--mkfs", "-i", "a", "--monmap", monmap, "--keyring", monKeyring);
        Daemon("/usr/bin/ceph-mon", "-i", "a", "-f");
        Ceph("mon", "stat");
        var uuid = Guid.NewGuid().ToString();
        var id = Ceph("osd", "new", uuid).Trim();
        var osdDir = Path.Combine(d, "osd", "ceph-" + id);
        System.IO.Directory.CreateDirectory(osdDir);
        Ceph("auth", "get-or-create", "osd." + id, "osd", "allow *", "mon", "allow profile osd", "mgr", "allow profile osd",
            "-o", Path.Combine(osdDir, "keyring"));
        Run("/usr/bin/ceph-osd", "-i", id, "--mkfs", "--osd-uuid", uuid);
        Daemon("/usr/bin/ceph-osd", "-i", id, "-f");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Ceph("osd", "stat").Contains("1 up", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || !IsRunning)
            {
                throw new InvalidOperationException($"The Ceph OSD did not come up in 60 s:\n{Log}");
            }
            Thread.Sleep(200);
        }
        foreach (var pool in pools)
        {
            CreatePool(pool);
        }
    }

    private void Daemon(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["CEPH_CONF"] = ConfPath;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => Append(e.Data);
        p.ErrorDataReceived += (_, e) => Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _daemons.Add(p);
    }

    /// <summary>What the daemons printed, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            if (_log.Length < 100_000)
            {
                _log.AppendLine(line);
            }
        }
    }

    private void OnExit(object? sender, EventArgs e) => Dispose();

    /// <summary>Kills the OSD and the mon by their pids (memstore keeps nothing worth a clean stop) and removes the directory.</summary>
    public void Dispose()
    {
        lock (_daemons)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        AppDomain.CurrentDomain.ProcessExit -= OnExit;
        foreach (var p in Enumerable.Reverse(_daemons))
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
            }
            p.Dispose();
        }
        _daemons.Clear();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
