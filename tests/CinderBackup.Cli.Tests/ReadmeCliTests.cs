using System.Diagnostics;
using System.Reflection;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// The README's CLI walkthrough runs as written, in bash, against a private data directory: the first thing a
/// newcomer types must not rot while the commands change (tests/Pester/Readme.Tests.ps1 does the same for the
/// PowerShell blocks).
/// </summary>
public sealed class ReadmeCliTests : IDisposable
{
    private const string BuildLine = "dotnet build src/CinderBackup.Cli -c Release";
    private const string CliDirectory = "$PWD/src/CinderBackup.Cli/bin/Release/net8.0";

    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task TheCliWalkthroughRunsAsWritten()
    {
        var block = WalkthroughBlock();
        // The test project has built the CLI already: the build line is left out (building here would race the
        // other test assemblies that run it), and the README's output directory is this build's.
        Assert.Contains(BuildLine, block);
        Assert.Contains($"export PATH=\"{CliDirectory}:$PATH\"", block);
        var script = string.Join('\n', block.Split('\n').Where(l => l.Trim() != BuildLine))
            .Replace(CliDirectory, Path.GetDirectoryName(Path.GetFullPath(CliRunner.CliDll))!);
        var file = _home.File_("walkthrough.sh");
        File.WriteAllText(file, script);

        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _home.Root,
        };
        psi.ArgumentList.Add("-e");
        psi.ArgumentList.Add(file);
        _home.ApplyTo(psi);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10)))
        {
            try
            {
                await p.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException("The README's CLI walkthrough did not finish.");
            }
        }
        var result = new CliRunner.Result(p.ExitCode, await stdout, await stderr);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("identical", result.Stdout.TrimEnd().Split('\n')[^1]);
        // Both backups available, the restored volume beside the source.
        var backups = CliRunner.Value(_home, "volume", "backup", "list", "-c", "Name", "-c", "Status").Split('\n').Order();
        Assert.Equal(new[] { "full1 available", "inc1 available" }, backups);
        Assert.Contains("vol1_copy", CliRunner.Value(_home, "volume", "list", "-c", "Name"));
    }

    /// <summary>The first ```bash block after the README's "### CLI" heading.</summary>
    private static string WalkthroughBlock()
    {
        var root = typeof(ReadmeCliTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(a => a.Key == "RepositoryRoot").Value!;
        var lines = File.ReadAllLines(Path.Combine(root, "README.md"));
        var heading = Array.IndexOf(lines, "### CLI");
        Assert.True(heading >= 0, "README.md has no '### CLI' heading.");
        var start = Array.FindIndex(lines, heading, l => l == "```bash");
        Assert.True(start >= 0, "README.md has no ```bash block after '### CLI'.");
        var end = Array.FindIndex(lines, start + 1, l => l == "```");
        Assert.True(end > start, "The README's CLI walkthrough block is not closed.");
        return string.Join('\n', lines[(start + 1)..end]) + "\n";
    }
}
