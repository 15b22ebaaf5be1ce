
namespace CinderBackup.Bench;

/// <summary>
/// Drops a directory's files from the page cache (Linux), so that both tools restore and verify from the disk:
/// CinderBackup's writes leave nothing in the cache and Cinder's leave everything, and a restore right after a
/// backup would otherwise compare a disk read with a memory copy. Backups made long ago are not cached either.
/// </summary>
internal static class PageCache
{
    public static void Evict(string directory)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists(directory))
        {
            return;
        }
        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            Engine.Native.LibC.Fsync(handle); // dirty pages cannot be dropped
            Engine.Native.LibC.DropFromCache(handle, 0, 0);
        }
    }
}
