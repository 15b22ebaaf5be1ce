using System.Diagnostics;
using System.Reflection;

namespace CinderBackup.Tests.Shared;

/// <summary>Runs the real <c>cinder-backup</c> executable (its built dll under dotnet) in a child process.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    /// <summary>The built cinder-backup.dll, recorded at build time by the test project.</summary>
    public static string CliDll { get; } = Assembly.GetExecutingAssembly()
        .GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "CinderBackupCli").Value!;

    public static Result Run(TempHome home, params string[] args) => RunWithInput(home, null, args);

    /// <summary>Runs and requires exit code 0 (the failure message shows both streams).</summary>
    public static Result Ok(TempHome home, params string[] args)
    {
        var r = Run(home, args);
        Xunit.Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    /// <summary>
    /// Runs and requires exit code 1 with exactly <paramref name="stderr"/>, and that nothing changed: the catalog (its
    /// services' heartbeats aside) and the files of the data directory are as before.
    /// </summary>
    public static void Refused(TempHome home, string stderr, params string[] args)
    {
        var before = StateSnapshot.Take(home.CatalogPath, new[] { home.Home }, "services");
        var r = Run(home, args);
        Xunit.Assert.True(r.ExitCode == 1, r.ToString());
        Xunit.Assert.Equal(stderr, r.Stderr);
        Xunit.Assert.Equal(before, StateSnapshot.Take(home.CatalogPath, new[] { home.Home }, "services"));
    }

    /// <summary>The trimmed output of a command run with <c>-f value</c>.</summary>
    public static string Value(TempHome home, params string[] args) => Ok(home, args.Concat(new[] { "-f", "value" }).ToArray()).Stdout.Trim();

    /// <summary>Runs a command with fault point <paramref name="point"/> armed (CINDERBACKUP_FAULT) and checks it was killed there (137).</summary>
    public static void Crash(TempHome home, string point, params string[] args)
    {
        home.Set("CINDERBACKUP_FAULT", point);
        try
        {
            var r = Run(home, args);
            Xunit.Assert.True(r.ExitCode == 137, $"{point}: expected the process to be killed there\n{r}");
        }
        finally
        {
            home.Set("CINDERBACKUP_FAULT", null);
        }
    }

    /// <summary>
    /// Lets later processes (each runs recovery at start) settle what a killed one left: until no backup is creating or
    /// deleting, or <paramref name="seconds"/> pass. A killed process's watch on a Ceph image lasts until the OSD times it
    /// out (~30 s), and recovery leaves that backup for a later process meanwhile.
    /// </summary>
    public static void Settle(TempHome home, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            var list = Run(home, "volume", "backup", "list", "-f", "json");
            if (list.ExitCode == 0 && !list.Stdout.Contains("\"creating\"", StringComparison.Ordinal) && !list.Stdout.Contains("\"deleting\"", StringComparison.Ordinal))
            {
                return;
            }
            Thread.Sleep(2000);
        }
    }

    public static Result RunWithInput(TempHome home, string? stdin, params string[] args)
    {
        var psi = Start(home, args);
        psi.RedirectStandardInput = stdin is not null;
        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(300_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("cinder-backup did not finish: " + string.Join(' ', args));
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    public static ProcessStartInfo Start(TempHome home, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        home.ApplyTo(psi);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return psi;
    }

    /// <summary>Runs a system tool (mount, umount) and returns its exit code, or -1 when it is not there.</summary>
    public static int Tool(string file, params string[] args)
    {
        try
        {
            using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
