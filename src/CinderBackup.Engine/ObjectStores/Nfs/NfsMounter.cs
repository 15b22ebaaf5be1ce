using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.ObjectStores.Nfs;

/// <summary>
/// Mounts an NFS repository's share as Cinder does (os-brick's RemoteFsClient): at
/// <c>&lt;backup_mount_point_base&gt;/&lt;md5 hex of the share string&gt;</c>, with <c>mount -t nfs [-o options] share
/// mount_point</c>, retried <c>backup_mount_attempts</c> times; a mount point that is already mounted is used as it is.
/// Unlike Cinder, ownership and permissions of the share are left alone.
/// </summary>
internal static class NfsMounter
{
    /// <summary>Test seam: the mount table to read instead of /proc/mounts.</summary>
    public const string MountsFileVariable = "CINDERBACKUP_MOUNTS_FILE";

    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Cinder's mount point of a share: the MD5 of the share string, in hex.</summary>
    public static string MountPoint(string mountPointBase, string share) =>
        Path.Combine(Path.GetFullPath(mountPointBase), Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(share))).ToLowerInvariant());

    /// <summary>Mounts the repository's share unless its mount point is mounted already; returns the mount point.</summary>
    public static string EnsureMounted(RepositoryDefinition repository, Func<TimeSpan, Task>? delay = null)
    {
        var share = repository.Share ?? throw new CinderBackupException(ErrorIds.ConfigInvalid, ErrorKind.Configuration,
            $"Repository '{repository.Name}' (nfs): backup_share is not set{InFile(repository)}; set it to the NFS share, e.g. 'server:/export/backup'.", repository.Name);
        var root = MountPoint(repository.MountPointBase, share);
        var mounts = repository.Environment(MountsFileVariable) is { Length: > 0 } m ? m : "/proc/mounts";
        if (IsMounted(root, mounts))
        {
            return root;
        }
        try
        {
            Directory.CreateDirectory(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unavailable(repository, share, root, $"the mount point cannot be created: {e.Message}", e);
        }

        var command = repository.MountCommand.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (command.Length == 0)
        {
            throw new CinderBackupException(ErrorIds.ConfigInvalid, ErrorKind.Configuration,
                $"Repository '{repository.Name}' (nfs): backup_mount_command is empty{InFile(repository)}.", repository.Name);
        }
        var args = command.Skip(1).Concat(new[] { "-t", "nfs" })
            .Concat(string.IsNullOrWhiteSpace(repository.MountOptions) ? Array.Empty<string>() : new[] { "-o", repository.MountOptions! })
            .Concat(new[] { share, root })
            .ToList();
        string? problem = null;
        for (var attempt = 1; attempt <= repository.MountAttempts; attempt++)
        {
            if (attempt > 1)
            {
                (delay ?? (t => Task.Delay(t)))(TimeSpan.FromSeconds(Math.Min(10, 1 << (attempt - 2)))).GetAwaiter().GetResult();
            }
            problem = Run(command[0], args);
            if (problem is null)
            {
                if (IsMounted(root, mounts))
                {
                    return root;
                }
                problem = $"'{command[0]}' succeeded but '{root}' is not a mount point afterwards";
            }
        }
        throw Unavailable(repository, share, root,
            $"{repository.MountAttempts} attempt{(repository.MountAttempts == 1 ? "" : "s")} failed; the last: {problem}", null);
    }

    /// <summary>Whether <paramref name="mountPoint"/> is a mount point in the mount table (fields with octal escapes).</summary>
    public static bool IsMounted(string mountPoint, string mountsFile)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(mountsFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        var wanted = mountPoint.TrimEnd('/');
        foreach (var line in lines)
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && Unescape(fields[1]).TrimEnd('/') == wanted)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>/proc/mounts writes space, tab, newline and backslash as \040, \011, \012, \134.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
        {
            return field;
        }
        var sb = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.Substring(i + 1, 3).All(c => c is >= '0' and <= '7'))
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }
        return sb.ToString();
    }

    /// <summary>Runs the mount command; null on success, else what went wrong (exit code and its messages).</summary>
    private static string? Run(string program, IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        try
        {
            using var p = Process.Start(psi)!;
            p.StandardInput.Close();
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(AttemptTimeout))
            {
                p.Kill(entireProcessTree: true);
                return $"'{program}' did not finish within {AttemptTimeout.TotalMinutes:0} minutes";
            }
            p.WaitForExit();
            if (p.ExitCode == 0)
            {
                return null;
            }
            var output = (stderr.Result.Trim() + " " + stdout.Result.Trim()).Trim();
            if (output.Length > 300)
            {
                output = output[..300] + "...";
            }
            return $"'{program}' exited with {p.ExitCode}{(output.Length > 0 ? ": " + output : "")}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return $"cannot run '{program}': {e.Message}";
        }
    }

    private static string InFile(RepositoryDefinition r) => r.SourceFile is null ? "" : $" in '{r.SourceFile}'";

    private static CinderBackupException Unavailable(RepositoryDefinition r, string share, string root, string why, Exception? inner) =>
        new(ErrorIds.RepositoryUnavailable, ErrorKind.IOError,
            $"Repository '{r.Name}' (nfs): cannot mount the share '{share}' on '{root}': {why}.", r.Name, inner);
}
