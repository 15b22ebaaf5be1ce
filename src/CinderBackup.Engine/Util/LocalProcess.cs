using System.ComponentModel;
using System.Diagnostics;

namespace CinderBackup.Engine.Util;

/// <summary>
/// Questions about another process on this machine that stay answerable while it exits: a process can leave between
/// two reads of its /proc entry, and .NET then throws Win32Exception (seen: a CLI start-up's recovery failed with
/// "Unexpected error: Win32Exception" while four processes worked on one catalog).
/// </summary>
internal static class LocalProcess
{
    /// <summary>True while process <paramref name="pid"/> runs; one there but not ours to read is taken for running.</summary>
    public static bool Runs(int pid) => pid == Environment.ProcessId || Ask(pid, p => !p.HasExited, unreadable: true) is true;

    /// <summary>
    /// True when process <paramref name="pid"/> cannot be running work that began at <paramref name="since"/>: there is no
    /// such process, or the pid was reused by one that started more than 5 s later. A process there but not ours to read
    /// is not taken for gone.
    /// </summary>
    public static bool IsGoneSince(int pid, DateTime since) =>
        Ask(pid, p => p.HasExited || (since != DateTime.MinValue && p.StartTime.ToUniversalTime() > since.AddSeconds(5)), unreadable: false) is not false;

    /// <summary><paramref name="question"/> of the process, or null when there is none; <paramref name="unreadable"/> for one that cannot be read.</summary>
    internal static bool? Ask(int pid, Func<Process, bool> question, bool unreadable)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var p = Process.GetProcessById(pid);
                return question(p);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return null; // no such process, or it exited
            }
            catch (Win32Exception) when (attempt == 0)
            {
                // It left between two reads: asked again, GetProcessById says it is gone.
            }
            catch (Win32Exception)
            {
                return unreadable;
            }
        }
    }
}
