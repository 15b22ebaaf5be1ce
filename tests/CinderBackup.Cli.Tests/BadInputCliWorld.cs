using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>The state BadInputCliTests run against: a volume with a full backup and an incremental, made once through the engine.</summary>
public sealed class BadInputCliWorld : IDisposable
{
    public BadInputCliWorld()
    {
        Home.WriteConfig("backup_file_size: 4MiB\n");
        using var engine = BackupEngine.Open(new EngineOptions { Environment = Home.Env });
        var v = engine.Volumes.Create("vol", 1);
        Disk.WriteRandom(v.Path, 0, 1 << 20, seed: 3);
        engine.Backups.Create(new BackupCreateOptions { Volume = "vol", Name = "full" });
        engine.Backups.Create(new BackupCreateOptions { Volume = "vol", Name = "inc", Incremental = true });
        Directory.CreateDirectory(Home.File_("inputs"));
    }

    public TempHome Home { get; } = new();

    public void Dispose() => Home.Dispose();
}
