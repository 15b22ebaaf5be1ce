using System.Runtime.InteropServices;

namespace CinderBackup.Engine.Native;

/// <summary>
/// Where a path really leads: every symbolic link and <c>..</c> of the part that exists resolved (realpath(3)), the
/// part that does not exist yet appended as written. Containment checks compare these, never the text the user gave.
/// </summary>
internal static partial class RealPath
{
    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr realpath(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void free(IntPtr pointer);

    public static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            return full;
        }
        var missing = new Stack<string>();
        for (var current = full; ;)
        {
            var resolved = realpath(current, IntPtr.Zero);
            if (resolved != IntPtr.Zero)
            {
                try
                {
                    var result = Marshal.PtrToStringUTF8(resolved)!;
                    foreach (var name in missing)
                    {
                        result = Path.Combine(result, name);
                    }
                    return result;
                }
                finally
                {
                    free(resolved);
                }
            }
            var parent = Path.GetDirectoryName(current);
            if (parent is null)
            {
                return full;
            }
            missing.Push(Path.GetFileName(current));
            current = parent;
        }
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or lies under it (both already resolved).</summary>
    public static bool IsWithin(string path, string root)
    {
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var r = root.TrimEnd(Path.DirectorySeparatorChar);
        return path.Equals(r, comparison) || path.StartsWith(r + Path.DirectorySeparatorChar, comparison);
    }
}
