using System.Text;
using System.Text.Json.Nodes;
using CinderBackup.Engine.Api;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// The state the bad-input catalogue is thrown at, built once: volumes (one with data, one larger, one in use),
/// a snapshot, a full backup with an incremental, a backup of the larger volume, and the files the path cases
/// need. Every case must leave it exactly as it was, so the cases can share it.
/// </summary>
public sealed class BadInputWorld : IDisposable
{
    public const string Posix = "cinder.backup.drivers.posix.PosixBackupDriver";

    /// <summary>The id records that must pass every check but the one under test are given (never in the catalog).</summary>
    public const string FreshId = "0d5ea5e0-1111-4222-8333-944445555666";

    public BadInputWorld()
    {
        Home.WriteConfig("backup_file_size: 4MiB\n");
        Admin = EngineFactory.Open(Home);
        User = EngineFactory.Open(Home, "default", "bob", admin: false);
        var v = Admin.Volumes.Create("vol", 1, "the volume");
        Disk.WriteRandom(v.Path, 0, 1 << 20, seed: 1);
        Admin.Backups.Create(new BackupCreateOptions { Volume = "vol", Name = "full" });
        Disk.WriteRandom(v.Path, 8 << 20, 1 << 20, seed: 2);
        Admin.Backups.Create(new BackupCreateOptions { Volume = "vol", Name = "inc", Incremental = true });
        Admin.Snapshots.Create("vol", "snap");
        Admin.Volumes.Create("big", 2);
        Admin.Backups.Create(new BackupCreateOptions { Volume = "big", Name = "bigb" });
        Admin.Volumes.Create("att", 1);
        Admin.Volumes.Attach("att", "instance-1", "/dev/vdb");
        FullRecord = Admin.Records.Export("full")[0];

        Directory.CreateDirectory(Files);
        Directory.CreateDirectory(Inputs);
        File.WriteAllBytes(File_("empty.img"), Array.Empty<byte>());
        Directory.CreateDirectory(File_("a-directory"));
        File.WriteAllText(File_("not-a-catalog.db"), "this is text, not an SQLite database\n");
        File.WriteAllText(File_("existing.yaml"), "precious\n");
        File.CreateSymbolicLink(File_("catalog-link.img"), Home.CatalogPath);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", File_("pipe")))
        {
            mkfifo.WaitForExit();
        }
    }

    public TempHome Home { get; } = new();

    /// <summary>The default identity: an admin in project default.</summary>
    public BackupEngine Admin { get; }

    /// <summary>A member of project default without the admin role.</summary>
    public BackupEngine User { get; }

    /// <summary>The exported record of backup "full".</summary>
    public BackupRecord FullRecord { get; }

    /// <summary>Files the cases point at (an empty image, a directory, a file that must not be overwritten); part of the state.</summary>
    public string Files => Home.File_("files");

    /// <summary>Where cases write their input files (bad configs, record files) before the snapshot; not part of the state.</summary>
    public string Inputs => Home.File_("inputs");

    public string File_(string name) => Path.Combine(Files, name);

    /// <summary>Catalog rows, the data directory (pool, snapshots, repository, log, tmp) and <see cref="Files"/>.</summary>
    public string Snapshot() => StateSnapshot.Take(Home.CatalogPath, new[] { Home.Home, Files });

    /// <summary>A backup_url of the JSON <paramref name="json"/>.</summary>
    public static string Url(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    /// <summary>Backup "full"'s record with a fresh id (its object prefix bound to it) and name, and <paramref name="change"/> applied.</summary>
    public string RecordWith(Action<JsonObject> change)
    {
        var json = JsonNode.Parse(Convert.FromBase64String(FullRecord.BackupUrl))!.AsObject();
        json["service_metadata"] = ((string)json["service_metadata"]!).Replace((string)json["id"]!, FreshId, StringComparison.Ordinal); // bound to the new id
        json["id"] = FreshId;
        json["display_name"] = "imported"; // were it imported by mistake, "full" would stay unambiguous
        change(json);
        return Url(json.ToJsonString());
    }

    /// <summary>A link in the repository, <c>escape</c>, to <see cref="Files"/> (outside it); made once, before a case's snapshot.</summary>
    public void LinkOutOfTheRepository()
    {
        var link = Path.Combine(Home.Home, "backup", "escape");
        if (!Directory.Exists(link))
        {
            Directory.CreateSymbolicLink(link, Files);
        }
    }

    /// <summary>Writes an input file and returns its path.</summary>
    public string Input(string name, string text)
    {
        var path = Path.Combine(Inputs, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Opens the engine with the configuration file <paramref name="path"/>.</summary>
    public void OpenWithConfig(string path)
    {
        using var _ = BackupEngine.Open(new EngineOptions { ConfigPath = path, Environment = Home.Env });
    }

    /// <summary>Imports the records of a record file, as `record import --file` does.</summary>
    public void ImportFile(string path) => Admin.Records.Import(RecordApi.ReadFile(path));

    public void Dispose()
    {
        User.Dispose();
        Admin.Dispose();
        Home.Dispose();
    }
}
