using System.Diagnostics;
using System.Reflection;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// The CLI installed the way users install it (issue 20, item 10): `build.ps1 -Task Package` makes the .NET tool
/// package, `dotnet tool install` puts it into a temporary tool path, the installed `cinder-backup` backs up and
/// restores a volume, and `dotnet tool uninstall` removes it. Nothing outside the test's temporary folder changes.
/// </summary>
public sealed class ToolPackageCliTests : IDisposable
{
    private static readonly string RepositoryRoot = typeof(ToolPackageCliTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "RepositoryRoot").Value!;

    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private static CliRunner.Result Exec(string file, IEnumerable<string> args, TempHome? home = null, string? workingDirectory = null, int timeoutSeconds = 900)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        home?.ApplyTo(psi);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        return new CliRunner.Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static CliRunner.Result ExecOk(string file, IEnumerable<string> args, TempHome? home = null)
    {
        var r = Exec(file, args, home);
        Assert.True(r.ExitCode == 0, $"{file} {string.Join(' ', args)}\n{r}");
        return r;
    }

    [Fact]
    public void TheToolPackageInstallsRunsABackupAndRestoreAndUninstalls()
    {
        var packages = _home.File_("packages");
        ExecOk("dotnet", new[] { "pwsh", "-NoProfile", "-NonInteractive", "-File", Path.Combine(RepositoryRoot, "build.ps1"),
            "-Task", "Package", "-Packages", "Cli", "-PackageOutput", packages });
        var version = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Path.Combine(RepositoryRoot, "CinderBackup.psd1")),
            @"ModuleVersion\s*=\s*'([^']+)'").Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(packages, $"cinder-backup.{version}.nupkg")), string.Join("\n", Directory.GetFiles(packages)));

        // Only the package folder as a source: the install does not depend on (or ask) any other feed.
        var config = _home.File_("nuget.config");
        File.WriteAllText(config, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <clear />\n  </packageSources>\n</configuration>\n");
        var tools = _home.File_("tools");
        var install = ExecOk("dotnet", new[] { "tool", "install", "--tool-path", tools, "--configfile", config, "--add-source", packages, "cinder-backup" });
        Assert.Contains($"'cinder-backup' (version '{version}') was successfully installed", install.Stdout);
        var exe = Path.Combine(tools, OperatingSystem.IsWindows() ? "cinder-backup.exe" : "cinder-backup");
        Assert.True(File.Exists(exe), install.ToString());

        // The installed copy is the ReadyToRun build (what makes it start faster; README "Performance").
        var installed = Directory.GetFiles(Path.Combine(tools, ".store"), "cinder-backup.dll", SearchOption.AllDirectories);
        Assert.NotEmpty(installed);
        Assert.All(installed, dll => Assert.True(IsReadyToRun(dll), dll + " is not ReadyToRun"));

        Assert.StartsWith(version, ExecOk(exe, new[] { "--version" }, _home).Stdout.Trim());
        ExecOk(exe, new[] { "volume", "create", "--size", "1", "vol1" }, _home);
        var path = ExecOk(exe, new[] { "volume", "show", "vol1", "-c", "path", "-f", "value" }, _home).Stdout.Trim();
        Disk.WriteRandom(path, 0, 3 << 20, seed: 7);
        var created = ExecOk(exe, new[] { "volume", "backup", "create", "vol1", "--name", "vol1-full" }, _home).Stdout;
        Assert.Contains("| name  | vol1-full", created);
        var restore = ExecOk(exe, new[] { "volume", "backup", "restore", "vol1-full" }, _home).Stdout;
        var restoredId = restore.Split('\n').First(l => l.StartsWith("| volume_id")).Split('|')[2].Trim();
        var restoredPath = ExecOk(exe, new[] { "volume", "show", restoredId, "-c", "path", "-f", "value" }, _home).Stdout.Trim();
        Assert.Equal(Disk.Sha256(path), Disk.Sha256(restoredPath));

        var uninstall = ExecOk("dotnet", new[] { "tool", "uninstall", "--tool-path", tools, "cinder-backup" });
        Assert.Contains("was successfully uninstalled", uninstall.Stdout);
        Assert.False(File.Exists(exe));
    }

    /// <summary>Whether the assembly carries precompiled code: a ReadyToRun image has a ManagedNativeHeader.</summary>
    private static bool IsReadyToRun(string dll)
    {
        using var stream = File.OpenRead(dll);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        return pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }
}
