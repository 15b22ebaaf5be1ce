using CinderBackup.Engine.Api;

namespace CinderBackup.Engine.Tests;

/// <summary>A <see cref="TempHome"/> configured for an S3 repository on a local server, with small objects.</summary>
internal static class S3Home
{
    public const long MiB = 1 << 20;

    /// <summary>A bucket name of its own for one test.</summary>
    public static string Bucket(string what) => $"cbt-{what}-{Guid.NewGuid():N}"[..Math.Min(63, 4 + what.Length + 33)];

    /// <summary>Credentials in the environment; the repository options in the file.</summary>
    public static TempHome Configure(TempHome home, string endpoint, string bucket, string extra = "")
    {
        home.Set("AWS_ACCESS_KEY_ID", MotoServer.AccessKey).Set("AWS_SECRET_ACCESS_KEY", MotoServer.SecretKey).Set("AWS_SESSION_TOKEN", null);
        var lines = new List<string>
        {
            "backup_driver: s3",
            $"backup_s3_endpoint_url: {endpoint}",
            $"backup_s3_store_bucket: {bucket}",
            "backup_s3_object_size: 1MiB",
            "backup_s3_retry_max_attempts: 3",
            "backup_s3_timeout: 10",
        };
        foreach (var line in extra.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            lines.RemoveAll(l => l.Split(':')[0] == line.Split(':')[0]); // the extra line wins
            lines.Add(line);
        }
        home.WriteConfig(string.Join("\n", lines) + "\n");
        return home;
    }

    public static BackupEngine Open(TempHome home) => EngineFactory.Open(home, "p1", "u1", admin: true);

    /// <summary>A registered image of a few MiB: text, random data, a hole and a partial last block.</summary>
    public static BlockVolume Volume(BackupEngine engine, TempHome home, string name, int seed = 1)
    {
        var path = home.File_(name + ".img");
        using (var fs = new FileStream(path, FileMode.Create))
        {
            fs.SetLength(5 * MiB + 12345);
            var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 60000).Select(i => $"{name} line {i} {seed}\n")));
            fs.Write(text.AsSpan(0, (int)Math.Min(text.Length, 2 * MiB)));
            var random = new byte[MiB];
            new Random(seed).NextBytes(random);
            fs.Position = 3 * MiB;
            fs.Write(random);
            fs.Position = 5 * MiB;
            fs.Write(random.AsSpan(0, 12345));
        }
        return engine.Volumes.Register(name, path);
    }

    public static void Change(string path, long offset, int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        using var fs = new FileStream(path, FileMode.Open);
        fs.Position = offset;
        fs.Write(data);
    }

    public static string Sha(string path, long length)
    {
        using var f = File.OpenRead(path);
        var buffer = new byte[length];
        f.ReadExactly(buffer);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(buffer));
    }
}
