namespace CinderBackup.Cli.Tests;

/// <summary>
/// A small tmpfs the disk-full tests mount (root only) so that a real ENOSPC reaches the process, unmounted on dispose;
/// <see cref="Fill"/> takes its space away with a file that can be removed again.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path_ = path;

    public string Path_ { get; }

    /// <summary>Mounts a tmpfs of <paramref name="mib"/> MiB at <paramref name="dir"/> (created); null where that is not possible.</summary>
    public static SmallDisk? Mount(string dir, int mib)
    {
        Directory.CreateDirectory(dir);
        if (Environment.UserName != "root" || CliRunner.Tool("mount", "-t", "tmpfs", "-o", $"size={mib}m", "tmpfs", dir) != 0)
        {
            return null;
        }
        return new SmallDisk(dir);
    }

    /// <summary>Fills the file system holding <paramref name="dir"/> up to <paramref name="leaveMiB"/> MiB free; returns the filler.</summary>
    public static string Fill(string dir, int leaveMiB)
    {
        var filler = Path.Combine(dir, "filler");
        var free = new DriveInfo(dir).AvailableFreeSpace;
        using var fs = new FileStream(filler, FileMode.Create);
        var chunk = new byte[1 << 20];
        try
        {
            for (var left = free - ((long)leaveMiB << 20); left > 0; left -= chunk.Length)
            {
                fs.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
            }
            fs.Flush(true);
        }
        catch (IOException)
        {
            // Full already.
        }
        return filler;
    }

    public void Dispose() => CliRunner.Tool("umount", Path_);
}
