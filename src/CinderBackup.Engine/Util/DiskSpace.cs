
namespace CinderBackup.Engine.Util;

/// <summary>
/// Recognises "no space left on device" (ENOSPC, or EDQUOT: the quota is the same wall) wherever it surfaces, so that
/// messages can say which directory is full instead of only that an I/O failed.
/// </summary>
internal static class DiskSpace
{
    private const int ENOSPC = 28;
    private const int EDQUOT = 122;
    private const string Flag = "CinderBackup.NoSpace";

    /// <summary>True when <paramref name="e"/> or one of its inner exceptions is a failure for want of space.</summary>
    public static bool IsNoSpace(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is IOException { HResult: ENOSPC or EDQUOT } || e.Data.Contains(Flag))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Tags an exception whose cause was the disk being full but which does not show it in its own type.</summary>
    public static T MarkNoSpace<T>(T e)
        where T : Exception
    {
        e.Data[Flag] = true;
        return e;
    }

    /// <summary>Less than this left counts as full: SQLite and the file pool write in pages and extents, not bytes.</summary>
    private const long NearlyFull = 1 << 20;

    /// <summary>True when the file system holding <paramref name="path"/> has (nearly) no space left for this process.</summary>
    public static bool IsFull(string path) => Native.LibC.AvailableBytes(ExistingAncestor(path)) is < NearlyFull;

    /// <summary>"No space left on device: the file system holding 'D' is full (N bytes free)" for the directory of a path.</summary>
    public static string Explain(string directory)
    {
        var free = Native.LibC.AvailableBytes(ExistingAncestor(directory));
        return $"No space left on device: the file system holding '{directory}' is full{(free is long n ? $" ({n} bytes free)" : "")}";
    }

    private static string ExistingAncestor(string path)
    {
        var current = path;
        while (!Directory.Exists(current) && Path.GetDirectoryName(current) is { Length: > 0 } parent)
        {
            current = parent;
        }
        return current;
    }
}
