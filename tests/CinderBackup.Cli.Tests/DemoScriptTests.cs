using System.Diagnostics;

namespace CinderBackup.Cli.Tests;

/// <summary>scripts/demo.sh (issue 20, item 8): echoes its commands quoted, and leaves nothing behind unless --keep.</summary>
public sealed class DemoScriptTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private (int Code, string Out) Demo(params string[] args)
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(root, "scripts", "demo.sh"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["TMPDIR"] = _home.Root;
        psi.Environment["XDG_DATA_HOME"] = Path.Combine(_home.Root, "xdg-data");
        psi.Environment.Remove("CINDERBACKUP_HOME");
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }

    [Fact]
    public void RunsQuotedAndLeavesNothingUnlessKept()
    {
        var (code, output) = Demo();
        Assert.True(code == 0, output);
        Assert.Contains(@"--description CinderBackup\ demo\ volume demo-", output);
        Assert.Empty(Directory.EnumerateDirectories(_home.Root, "cinderbackup-demo.*"));
        Assert.False(Directory.Exists(Path.Combine(_home.Root, "xdg-data", "cinderbackup")));

        (code, output) = Demo("--keep");
        Assert.True(code == 0, output);
        var kept = Assert.Single(Directory.EnumerateDirectories(_home.Root, "cinderbackup-demo.*"));
        Assert.True(File.Exists(Path.Combine(kept, "data", "catalog.db")));
        Assert.Contains("# kept: volumes, backups, catalog and log in ", output);

        (code, output) = Demo("--bogus");
        Assert.Equal(2, code);
        Assert.Contains("usage:", output);
    }
}
