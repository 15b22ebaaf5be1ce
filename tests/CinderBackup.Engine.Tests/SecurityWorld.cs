using CinderBackup.Engine.Api;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// Two projects without the admin role, built once: alice (project pa) and bob (project pb) each with a volume, a
/// snapshot and a backup, plus an admin's catalog copy and record for the admin-only calls to be refused with.
/// </summary>
public sealed class SecurityWorld : IDisposable
{
    public SecurityWorld()
    {
        Home.WriteConfig("backup_file_size: 4MiB\n");
        Admin = EngineFactory.Open(Home);
        Alice = EngineFactory.Open(Home, "pa", "alice", admin: false);
        Bob = EngineFactory.Open(Home, "pb", "bob", admin: false);
        foreach (var (engine, who) in new[] { (Alice, "alice"), (Bob, "bob") })
        {
            var v = engine.Volumes.Create($"{who}-vol", 1, $"{who}'s volume");
            Disk.WriteRandom(v.Path, 0, 1 << 20, seed: who.Length);
            engine.Snapshots.Create(v.Id, $"{who}-snap");
            engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Name = $"{who}-backup" });
        }
        AliceVolume = Alice.Volumes.Get("alice-vol").Id;
        AliceSnapshot = Alice.Snapshots.Get("alice-snap").Id;
        AliceBackup = Alice.Backups.Get("alice-backup").Id;
        CatalogCopy = Admin.CatalogFile.Backup(Home.File_("catalog-copy.db")).Path;
        AliceRecord = Admin.Records.Export(AliceBackup)[0];
        // Second names for alice's volume image, and for the catalog, that bob may try to register.
        var image = Alice.Volumes.Get("alice-vol").Path;
        File.CreateSymbolicLink(Home.File_("her-image-link"), image);
        using (var ln = System.Diagnostics.Process.Start("ln", new[] { image, Home.File_("her-image-hardlink") }))
        {
            ln.WaitForExit();
        }
        // A link someone put in the shared repository, to the volume pool where alice's images are.
        Directory.CreateSymbolicLink(Path.Combine(Home.Home, "backup", "pool-link"), Path.Combine(Home.Home, "volumes"));
    }

    public TempHome Home { get; } = new();

    public BackupEngine Admin { get; }

    public BackupEngine Alice { get; }

    public BackupEngine Bob { get; }

    public string AliceVolume { get; }

    public string AliceSnapshot { get; }

    public string AliceBackup { get; }

    public string CatalogCopy { get; }

    public BackupRecord AliceRecord { get; }

    public string Snapshot() => StateSnapshot.Take(Home.CatalogPath, new[] { Home.Root });

    public void Dispose()
    {
        Bob.Dispose();
        Alice.Dispose();
        Admin.Dispose();
        Home.Dispose();
    }
}
