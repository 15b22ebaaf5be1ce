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
