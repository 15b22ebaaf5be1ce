using System.Runtime.InteropServices;

namespace CinderBackup.Engine.Native.Ceph;

/// <summary>A librados or librbd call that failed: what was asked, on what, and the errno it returned.</summary>
internal sealed class CephException : IOException
{
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int EBUSY = 16;
    public const int ERANGE = 34;
    public const int ENOTEMPTY = 39;

    public CephException(string what, int result)
        : base($"{what}: {Describe(-result)} (errno {-result})") => Errno = -result;

    /// <summary>The positive errno (ENOENT = 2, ...).</summary>
    public int Errno { get; }

    public bool NotFound => Errno == ENOENT;

    /// <summary>Throws for a negative return; passes others through.</summary>
    public static long Check(long result, string what) => result < 0 ? throw new CephException(what, (int)result) : result;

    private static string Describe(int errno) => errno switch
    {
        ENOENT => "no such object, image, snapshot or pool",
        EEXIST => "already exists",
        EBUSY => "busy",
        ERANGE => "out of range",
        ENOTEMPTY => "not empty (it has snapshots)",
        1 => "operation not permitted (check the keyring and the user's caps)",
        13 => "permission denied (check the keyring and the user's caps)",
        28 => "no space left on the cluster",
        110 => "timed out",
        _ => Marshal.GetPInvokeErrorMessage(errno),
    };
}
