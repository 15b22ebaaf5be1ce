using CinderBackup.Engine.Api;

namespace CinderBackup.Engine.Tests.Ceph;

/// <summary>A <see cref="TempHome"/> configured for a Ceph repository on the test cluster, as client.admin.</summary>
internal static class CephHome
{
    public static TempHome Configure(TempHome home, CephServer ceph, string extra = "")
    {
        var lines = new List<string>
        {
            "backup_driver: ceph",
            $"backup_ceph_conf: {ceph.ConfPath}",
            "backup_ceph_user: admin",
            "backup_ceph_pool: backups",
        };
        foreach (var line in extra.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            lines.RemoveAll(l => l.Split(':')[0] == line.Split(':')[0]);
            lines.Add(line);
        }
        home.WriteConfig(string.Join("\n", lines) + "\n");
        return home;
    }

    public static BackupEngine Open(TempHome home) => EngineFactory.Open(home, "p1", "u1", admin: true);
}
