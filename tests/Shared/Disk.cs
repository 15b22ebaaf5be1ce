using System.Diagnostics;

namespace CinderBackup.Tests.Shared;

/// <summary>File-system facts .NET does not expose: allocated bytes of a (sparse) file.</summary>
public static class Disk
{
    public static long AllocatedBytes(string path)
    {
        var psi = new ProcessStartInfo("stat", new[] { "-c", "%b %B", path }) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd().Trim().Split(' ');
        p.WaitForExit();
        return long.Parse(text[0]) * long.Parse(text[1]);
    }

    /// <summary>SHA-256 of a whole file, as hex.</summary>
    public static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(f));
    }

    /// <summary>Writes deterministic pseudo-random bytes at an offset.</summary>
    public static void WriteRandom(string path, long offset, int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write);
        fs.Position = offset;
        fs.Write(data);
    }
}
