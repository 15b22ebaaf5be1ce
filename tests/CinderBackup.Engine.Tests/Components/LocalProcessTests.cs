using System.ComponentModel;
using System.Diagnostics;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// <see cref="LocalProcess"/>: recovery asks whether an operation's owner still runs while owners come and go. A process
/// that leaves between two reads of its /proc entry made .NET throw Win32Exception, which ended a CLI command with
/// "Unexpected error" (ConcurrencyCliTests, once in a fresh-clone CI run); asking about exiting processes must answer.
/// </summary>
public sealed class LocalProcessTests
{
    [Fact]
    public void ThisProcessRunsAndIsNotGoneUnlessItStartedAfterTheWorkDid()
    {
        var me = Environment.ProcessId;
        Assert.True(LocalProcess.Runs(me));
        Assert.False(LocalProcess.IsGoneSince(me, DateTime.UtcNow));
        Assert.False(LocalProcess.IsGoneSince(me, DateTime.MinValue));
        Assert.True(LocalProcess.IsGoneSince(me, DateTime.UtcNow.AddHours(-1)), "this process started after the work: the pid was reused");
    }

    [Fact]
    public void AnEndedProcessIsGone()
    {
        using var p = Process.Start("/bin/true")!;
        p.WaitForExit();
        var pid = p.Id;
        p.Dispose();
        Assert.False(LocalProcess.Runs(pid));
        Assert.True(LocalProcess.IsGoneSince(pid, DateTime.UtcNow.AddMinutes(-1)));
    }

    [Fact]
    public void AProcessThatLeavesBetweenTwoReadsIsAskedAgainAndOneThatCannotBeReadIsNotTakenForGone()
    {
        // The race itself, made certain: the first read fails as .NET's does when /proc/PID went between two reads.
        var me = Environment.ProcessId;
        var calls = 0;
        Assert.True(LocalProcess.Ask(me, _ => ++calls == 1 ? throw new Win32Exception("Unable to retrieve the specified information about the process or thread.") : true, unreadable: false));
        Assert.Equal(2, calls);
        Assert.False(LocalProcess.Ask(me, _ => throw new Win32Exception(), unreadable: false));
        Assert.True(LocalProcess.Ask(me, _ => throw new Win32Exception(), unreadable: true));

        using var p = Process.Start("/bin/true")!;
        p.WaitForExit();
        var pid = p.Id;
        p.Dispose();
        Assert.Null(LocalProcess.Ask(pid, _ => throw new Win32Exception(), unreadable: false)); // asked again: no such process
    }

    [Fact]
    public void AskingAboutProcessesWhileTheyExitAlwaysAnswers()
    {
        // Processes that end at once, reaped by a parent of their own (as a CLI process is by whoever started it, not by
        // the one asking), asked about from two threads until they are gone. The window between .NET's reads is a few
        // microseconds, so this rarely meets it (the case above makes it certain); it checks the answers on real exits.
        var deadline = Stopwatch.StartNew();
        var rounds = 0;
        while (deadline.Elapsed < TimeSpan.FromSeconds(3) || rounds < 50)
        {
            var psi = new ProcessStartInfo("/bin/sh", new[] { "-c", "sleep 0.02 & echo $!; wait" }) { UseShellExecute = false, RedirectStandardOutput = true };
            using var parent = Process.Start(psi)!;
            var pid = int.Parse(parent.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
            var since = DateTime.UtcNow.AddMinutes(-1);
            var askers = Enumerable.Range(0, 2).Select(i => Task.Run(() =>
            {
                var spin = Stopwatch.StartNew();
                while (spin.Elapsed < TimeSpan.FromSeconds(10))
                {
                    if (i == 0 ? LocalProcess.IsGoneSince(pid, since) : !LocalProcess.Runs(pid))
                    {
                        return true;
                    }
                }
                return false;
            })).ToArray();
            parent.WaitForExit();
            Assert.All(askers, a => Assert.True(a.Result, $"process {pid} still counted as running after it ended"));
            rounds++;
        }
    }
}
