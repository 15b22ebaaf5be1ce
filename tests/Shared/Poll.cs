using System.Diagnostics;

namespace CinderBackup.Tests.Shared;

/// <summary>Waiting for another process to get somewhere, with a bound so a hang fails the test instead of CI.</summary>
public static class Poll
{
    public static void Until(Func<bool> condition, string what, int seconds = 90)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Xunit.Assert.True(sw.Elapsed < TimeSpan.FromSeconds(seconds), "timed out waiting for " + what);
            Thread.Sleep(100);
        }
    }
}
